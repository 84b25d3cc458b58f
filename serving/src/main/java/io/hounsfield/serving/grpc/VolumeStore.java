package io.hounsfield.serving.grpc;

import io.hounsfield.core.Volume;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Uploaded volumes by handle, within a host-memory budget: an upload reserves its bytes before it
 * allocates, and a failed or cancelled upload gives them back — no partial volume is ever stored.
 * Requests use a stored volume through a {@link Lease}; releasing a handle while a request still uses
 * it removes the handle at once and frees the memory when the last lease closes. With a device (the CUDA
 * backend) a stored volume is also kept on the device until it is freed, so repeated requests on a handle
 * do not upload it again. Thread-safe.
 */
final class VolumeStore implements AutoCloseable {

    /** Where stored volumes also live besides host memory (the device cache of the CUDA backend). */
    interface Residency {
        Residency NONE = new Residency() {
            @Override
            public void keep(Volume v, String id) {
            }

            @Override
            public void release(Volume v) {
            }
        };

        void keep(Volume v, String id);

        void release(Volume v);
    }

    private final long budget;
    private final Residency residency;
    private final AtomicLong reserved = new AtomicLong();
    private final ConcurrentHashMap<String, Entry> volumes = new ConcurrentHashMap<>();

    /** A stored volume and the requests using it. */
    private final class Entry {
        final Volume volume;
        int users;
        boolean released;

        Entry(Volume volume) {
            this.volume = volume;
        }

        synchronized boolean acquire() {
            if (released) {
                return false;
            }
            users++;
            return true;
        }

        synchronized void drop() {
            users--;
            freeIfDone();
        }

        synchronized void release() {
            released = true;
            freeIfDone();
        }

        private void freeIfDone() {
            if (released && users == 0 && volume.isOpen()) {
                long bytes = volume.segment().byteSize();
                residency.release(volume);
                volume.close();
                unreserve(bytes);
            }
        }
    }

    /** One request's use of a stored volume; closing it never frees a volume other requests hold. */
    interface Lease extends AutoCloseable {
        Volume volume();

        @Override
        void close();
    }

    VolumeStore(long budgetBytes) {
        this(budgetBytes, Residency.NONE);
    }

    VolumeStore(long budgetBytes, Residency residency) {
        this.budget = budgetBytes;
        this.residency = residency;
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
        residency.keep(v, id);
        volumes.put(id, new Entry(v));
        return id;
    }

    /** The volume of {@code id} for one request; empty if there is none (never stored, or released). */
    Optional<Lease> lease(String id) {
        Entry e = volumes.get(id);
        if (e == null || !e.acquire()) {
            return Optional.empty();
        }
        return Optional.of(new Lease() {
            private boolean closed;

            @Override
            public Volume volume() {
                return e.volume;
            }

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    e.drop();
                }
            }
        });
    }

    /** Removes a handle; its memory and reservation go once no request uses it. False if there was none. */
    boolean release(String id) {
        Entry e = volumes.remove(id);
        if (e == null) {
            return false;
        }
        e.release();
        return true;
    }

    @Override
    public void close() {
        for (String id : volumes.keySet()) {
            release(id);
        }
    }
}
