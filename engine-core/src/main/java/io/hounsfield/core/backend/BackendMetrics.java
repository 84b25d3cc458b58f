package io.hounsfield.core.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of a GPU backend: operations run on the device, operations that fell back to the CPU (and
 * why), bytes moved, and the device volume cache's hits, misses and evictions. Thread-safe.
 */
public final class BackendMetrics {

    private final AtomicLong deviceOps = new AtomicLong();
    private final AtomicLong cpuFallbacks = new AtomicLong();
    private final AtomicLong outOfMemoryFallbacks = new AtomicLong();
    private final AtomicLong unusableFallbacks = new AtomicLong();
    private final AtomicLong bytesUploaded = new AtomicLong();
    private final AtomicLong bytesDownloaded = new AtomicLong();
    private final AtomicLong cacheHits = new AtomicLong();
    private final AtomicLong cacheMisses = new AtomicLong();
    private final AtomicLong cacheEvictions = new AtomicLong();

    void deviceOp() {
        deviceOps.incrementAndGet();
    }

    void cpuFallback() {
        cpuFallbacks.incrementAndGet();
    }

    void outOfMemory() {
        outOfMemoryFallbacks.incrementAndGet();
    }

    void unusable() {
        unusableFallbacks.incrementAndGet();
    }

    void uploaded(long bytes) {
        bytesUploaded.addAndGet(bytes);
    }

    void downloaded(long bytes) {
        bytesDownloaded.addAndGet(bytes);
    }

    void cacheHit() {
        cacheHits.incrementAndGet();
    }

    void cacheMiss() {
        cacheMisses.incrementAndGet();
    }

    void evicted() {
        cacheEvictions.incrementAndGet();
    }

    /** Operations run on the CPU instead of the device, for any reason (out of memory, no device kernel, device unusable, ...). */
    public long cpuFallbacks() {
        return cpuFallbacks.get();
    }

    public long outOfMemoryFallbacks() {
        return outOfMemoryFallbacks.get();
    }

    public long deviceOps() {
        return deviceOps.get();
    }

    public long cacheHits() {
        return cacheHits.get();
    }

    public long cacheEvictions() {
        return cacheEvictions.get();
    }

    /** Every counter by name, in a stable order (for logs and the metrics endpoint). */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("device_ops", deviceOps.get());
        m.put("cpu_fallbacks", cpuFallbacks.get());
        m.put("cpu_fallbacks_out_of_memory", outOfMemoryFallbacks.get());
        m.put("cpu_fallbacks_device_unusable", unusableFallbacks.get());
        m.put("bytes_uploaded", bytesUploaded.get());
        m.put("bytes_downloaded", bytesDownloaded.get());
        m.put("cache_hits", cacheHits.get());
        m.put("cache_misses", cacheMisses.get());
        m.put("cache_evictions", cacheEvictions.get());
        return m;
    }
}
