package io.hounsfield.serving.grpc;

import io.hounsfield.core.Volume;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploaded volumes by handle, within a host-memory budget: an upload reserves its bytes before it
 * allocates, and a failed or cancelled upload gives them back — no partial volume is ever stored.
 * Thread-safe.
 */
final class VolumeStore implements AutoCloseable {

    private final long budget;
    private final AtomicLong reserved = new AtomicLong();
    private final ConcurrentHashMap<String, Volume> volumes = new ConcurrentHashMap<>();

    VolumeStore(long budgetBytes) {
        this.budget = budgetBytes;
    }

    long budget() {
        return budget;
    }

    long reservedBytes() {
        return reserved.get();
    }

    int size() {
        return volumes.size();
    }

    /** Reserves {@code bytes}; false if the budget cannot hold them. */
    boolean reserve(long bytes) {
        while (true) {
            long r = reserved.get();
            if (r + bytes > budget) {
                return false;
            }
            if (reserved.compareAndSet(r, r + bytes)) {
                return true;
            }
        }
    }

    void unreserve(long bytes) {
        reserved.addAndGet(-bytes);
    }

    /** Stores a complete volume (its bytes already reserved) and returns its handle. */
    String put(Volume v) {
        String id = UUID.randomUUID().toString();
        volumes.put(id, v);
        return id;
    }

    Optional<Volume> get(String id) {
        return Optional.ofNullable(volumes.get(id));
    }

    /** Frees a volume and its reservation; false if there was none. */
    boolean release(String id) {
        Volume v = volumes.remove(id);
        if (v == null) {
            return false;
        }
        long bytes = v.segment().byteSize();
        v.close();
        unreserve(bytes);
        return true;
    }

    @Override
    public void close() {
        for (String id : volumes.keySet()) {
            release(id);
        }
    }
}
