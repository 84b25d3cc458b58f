package io.hounsfield.core.backend;

import io.hounsfield.core.Volume;
import io.hounsfield.cuda.DeviceBuffer;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Device copies (float32) of volumes that callers declared unchanging, within a byte budget, least
 * recently used evicted first. A volume is cached only after {@link CudaBackend#keep} — the caller's
 * promise not to change it while it is kept (a series loaded once and analysed many times); any other
 * volume is uploaded for one operation and freed after it. On a device out-of-memory the backend empties
 * the cache and retries once, then falls back to the CPU.
 *
 * <p>Used only on the device's owner thread (not thread-safe by itself).
 */
final class DeviceVolumeCache {

    /** One kept volume: its key (for logs), its device copy once uploaded. */
    static final class Entry {
        final String key;
        DeviceBuffer buffer;

        Entry(String key) {
            this.key = key;
        }
    }

    private final long budget;
    private final BackendMetrics metrics;
    private final Map<Volume, Entry> kept = new IdentityHashMap<>();
    /** Uploaded entries in access order (LRU first). */
    private final LinkedHashMap<Volume, Entry> resident = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    DeviceVolumeCache(long budgetBytes, BackendMetrics metrics) {
        this.budget = budgetBytes;
        this.metrics = metrics;
    }

    long budget() {
        return budget;
    }

    long residentBytes() {
        return bytes;
    }

    void keep(Volume v, String key) {
        kept.putIfAbsent(v, new Entry(key));
    }

    boolean isKept(Volume v) {
        return kept.containsKey(v);
    }

    /** Forgets {@code v} and frees its device copy. */
    void release(Volume v) {
        kept.remove(v);
        Entry e = resident.remove(v);
        if (e != null) {
            free(e);
        }
    }

    /** The device copy of a kept, uploaded volume (counts a hit or a miss for kept volumes). */
    Optional<DeviceBuffer> lookup(Volume v) {
        Entry e = resident.get(v);
        if (e != null) {
            metrics.cacheHit();
            return Optional.of(e.buffer);
        }
        if (kept.containsKey(v)) {
            metrics.cacheMiss();
        }
        return Optional.empty();
    }

    /** The device copy of {@code v} if it is on the device, else null (counts nothing). */
    DeviceBuffer resident(Volume v) {
        Entry e = resident.get(v);
        return e == null ? null : e.buffer;
    }

    /** Makes room for {@code size} more bytes by evicting least recently used copies. */
    void makeRoom(long size) {
        Iterator<Entry> it = resident.values().iterator();
        while (bytes + size > budget && it.hasNext()) {
            Entry e = it.next();
            it.remove();
            free(e);
            metrics.evicted();
        }
    }

    /** Records the upload of a kept volume; true if it fits the budget (else the caller frees it after use). */
    boolean admit(Volume v, DeviceBuffer b) {
        Entry e = kept.get(v);
        if (e == null || b.byteSize() > budget) {
            return false;
        }
        makeRoom(b.byteSize());
        e.buffer = b;
        resident.put(v, e);
        bytes += b.byteSize();
        return true;
    }

    /** Frees every device copy (kept volumes stay kept and upload again when next used). */
    void evictAll() {
        for (Entry e : resident.values()) {
            free(e);
            metrics.evicted();
        }
        resident.clear();
    }

    private void free(Entry e) {
        bytes -= e.buffer.byteSize();
        e.buffer.close();
        e.buffer = null;
    }
}
