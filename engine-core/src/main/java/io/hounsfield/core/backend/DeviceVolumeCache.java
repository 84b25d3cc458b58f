package io.hounsfield.core.backend;

import io.hounsfield.core.Volume;
import io.hounsfield.cuda.DeviceBuffer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Device copies of volumes that callers declared unchanging, within a byte budget, least recently used
 * evicted first. A kept volume may have two copies, one per {@link Form}: float32 for the kernels that read
 * an image, and its own bytes for a uint8 label map the mask kernels read (a quarter of the float copy). A volume is cached only after {@link CudaBackend#keep} — the caller's
 * promise not to change it while it is kept (a series loaded once and analysed many times); any other
 * volume is uploaded for one operation and freed after it. On a device out-of-memory the backend empties
 * the cache and retries once, then falls back to the CPU.
 *
 * <p>Used on the device's owner thread (not thread-safe by itself), except {@link #isKept}: any thread may ask
 * it, so an operation's "is this volume kept?" does not queue behind the device work on the owner thread.
 */
final class DeviceVolumeCache {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeviceVolumeCache.class);

    /** What a device copy holds. */
    enum Form {
        /** Every voxel as float32 (what the image kernels read). */
        FLOAT32,
        /** The voxels' own bytes, for a uint8 label map (what the mask kernels read). */
        LABELS
    }

    /** A resident copy: which volume, in which form (identity of the volume). */
    private record Copy(Volume volume, Form form) {
    }

    private final long budget;
    private final BackendMetrics metrics;
    /** A kept volume's key (named when its copies are evicted) and how many keeps it has not been released from. */
    private static final class Kept {
        final String key;
        int holds;

        Kept(String key) {
            this.key = key;
        }
    }

    /**
     * Kept volumes. Volume has identity equality, so this is an identity map; concurrent for {@link #isKept},
     * changed only on the owner thread.
     */
    private final Map<Volume, Kept> kept = new java.util.concurrent.ConcurrentHashMap<>();
    /** Uploaded copies in access order (LRU first). Volume has identity equality, so a Copy key does too. */
    private final LinkedHashMap<Copy, DeviceBuffer> resident = new LinkedHashMap<>(16, 0.75f, true);
    /** Volumes whose device copy is their only full one (host voxels not filled): never evicted, freed at release. */
    private final java.util.function.Predicate<Volume> onlyOnDevice;
    private long bytes;

    DeviceVolumeCache(long budgetBytes, BackendMetrics metrics, java.util.function.Predicate<Volume> onlyOnDevice) {
        this.onlyOnDevice = onlyOnDevice;
        this.budget = budgetBytes;
        this.metrics = metrics;
    }

    long budget() {
        return budget;
    }

    long residentBytes() {
        return bytes;
    }

    /** Keeps {@code v}; keeps nest: it stays kept until released as often as it was kept. */
    void keep(Volume v, String key) {
        kept.computeIfAbsent(v, x -> new Kept(key)).holds++;
    }

    /** Whether {@code v} is kept (between {@link #keep} and {@link #release}); callable from any thread. */
    boolean isKept(Volume v) {
        return kept.containsKey(v);
    }

    /** Ends one {@link #keep} of {@code v}; at its last, forgets {@code v} and frees its device copies. */
    void release(Volume v) {
        Kept k = kept.get(v);
        if (k != null && --k.holds > 0) {
            return;
        }
        kept.remove(v);
        drop(v);
    }

    /** Frees the device copies of {@code v} (a kept volume stays kept and uploads again when next used). */
    void drop(Volume v) {
        for (Form f : Form.values()) {
            DeviceBuffer b = resident.remove(new Copy(v, f));
            if (b != null) {
                free(b);
            }
        }
    }

    /** The device copy of a kept, uploaded volume in form {@code f} (counts a hit or a miss for kept volumes). */
    Optional<DeviceBuffer> lookup(Volume v, Form f) {
        DeviceBuffer b = resident.get(new Copy(v, f));
        if (b != null) {
            metrics.cacheHit();
            return Optional.of(b);
        }
        if (kept.containsKey(v)) {
            metrics.cacheMiss();
        }
        return Optional.empty();
    }

    /** The device copy of {@code v} in form {@code f} if it is on the device, else null (counts nothing). */
    DeviceBuffer resident(Volume v, Form f) {
        return resident.get(new Copy(v, f));
    }

    /** Makes room for {@code size} more bytes by evicting least recently used copies. */
    void makeRoom(long size) {
        Iterator<Map.Entry<Copy, DeviceBuffer>> it = resident.entrySet().iterator();
        while (bytes + size > budget && it.hasNext()) {
            Map.Entry<Copy, DeviceBuffer> e = it.next();
            if (onlyOnDevice.test(e.getKey().volume())) {
                continue;
            }
            it.remove();
            Kept k = kept.get(e.getKey().volume());
            LOG.debug("evicting the device copy ({}) of {}", e.getKey().form(), k == null ? "a volume no longer kept" : k.key);
            free(e.getValue());
            metrics.evicted();
        }
    }

    /**
     * Records the upload of a kept volume's copy in form {@code f}; true if it fits the budget (else the caller
     * frees it after use). A copy already resident in that form is replaced (and freed).
     */
    boolean admit(Volume v, Form f, DeviceBuffer b) {
        if (!kept.containsKey(v) || b.byteSize() > budget) {
            return false;
        }
        DeviceBuffer old = resident.remove(new Copy(v, f));
        if (old != null) {
            free(old);
        }
        makeRoom(b.byteSize());
        resident.put(new Copy(v, f), b);
        bytes += b.byteSize();
        return true;
    }

    /** Frees every device copy but those that are their volume's only one (kept volumes stay kept and upload again when next used). */
    void evictAll() {
        Iterator<Map.Entry<Copy, DeviceBuffer>> it = resident.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Copy, DeviceBuffer> e = it.next();
            if (!onlyOnDevice.test(e.getKey().volume())) {
                it.remove();
                free(e.getValue());
                metrics.evicted();
            }
        }
    }

    private void free(DeviceBuffer b) {
        bytes -= b.byteSize();
        b.close();
    }
}
