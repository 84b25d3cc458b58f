package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.mesh.MarchingCubes;
import io.hounsfield.core.mesh.Mesh;
import io.hounsfield.core.mesh.SurfaceCounts;
import io.hounsfield.cuda.CudaContext;
import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;
import io.hounsfield.cuda.CudaDevice;
import io.hounsfield.cuda.CudaEvent;
import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.CudaError;
import io.hounsfield.cuda.CudaException;
import io.hounsfield.cuda.DeviceBuffer;
import io.hounsfield.cuda.DeviceWork;
import io.hounsfield.cuda.HostRegistration;
import io.hounsfield.cuda.PinnedBuffer;
import io.hounsfield.kernels.Kernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The CUDA backend: resampling (nearest, trilinear), masked moments, range masks, discretisation,
 * histograms, sphere means, the surface counts of morphology and every texture matrix run as kernels on
 * one device, and so do Moran's pairwise sums; the operations without device kernels yet (ROI sampling,
 * the triangle mesh itself, tricubic resampling) run on the {@link CpuBackend} given, and are counted as
 * CPU fallbacks. Results equal the CPU backend's: integers exactly, float sums within
 * 1e-9 relative (the device sums in another order), resampled floats within 1e-6 relative (the device
 * reads float32; int16/uint16/uint8 images convert exactly).
 *
 * <p>Volumes cross the bus through a pinned staging buffer (two halves in turn, the host's copy into one
 * overlapping the transfer from the other), or straight from their own memory once {@link #pin}ned. A device out-of-memory empties the
 * {@link DeviceVolumeCache} and retries once, then runs the request on the CPU; a sticky device error
 * makes the device unusable and every later request runs on the CPU. Both are counted in
 * {@link #metrics()}. Thread-safe: all device work goes through the device's owner thread.
 */
public final class CudaBackend implements ComputeBackend, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    /** Pinned staging buffer: volumes cross the bus in chunks of this size. */
    static final int STAGING_BYTES = 16 << 20;
    /** Default share of the free device memory the volume cache may hold. */
    public static final double DEFAULT_BUDGET_FRACTION = 0.8;

    private final CudaDevice device;
    private final CpuBackend cpu;
    private final BackendMetrics metrics = new BackendMetrics();
    private final boolean poison;
    private Kernels kernels;
    /** The device's owner thread (where device work runs; host-side fallbacks never do). */
    private volatile Thread owner;
    private PinnedBuffer staging;
    private DeviceVolumeCache cache;

    private CudaBackend(CudaDevice device, CpuBackend cpu, double budgetFraction, boolean poison) {
        this.device = device;
        this.cpu = cpu;
        this.poison = poison;
        join(device.submit(c -> {
            owner = Thread.currentThread();
            kernels = Kernels.load(c);
            staging = c.allocatePinned(STAGING_BYTES);
            cache = new DeviceVolumeCache((long) (budgetFraction * c.memoryInfo()[0]), metrics, deferred::containsKey);
            return null;
        }));
    }

    /**
     * Opens device 0 of the installed driver.
     *
     * @throws IllegalStateException if the driver or the kernels are missing
     * @throws CudaException         if the device refuses (e.g. the fatbin has no code for it)
     */
    public static CudaBackend open(CpuBackend cpu) {
        return open(CudaDriver.library(), 0, cpu, DEFAULT_BUDGET_FRACTION, Boolean.getBoolean("hounsfield.cuda.poison"));
    }

    /**
     * @param library        the driver library (tests use a fake one)
     * @param budgetFraction share of the device's free memory (at open) the volume cache may hold
     * @param poison         fill every device output with 0xFF bytes before a kernel writes it (tests and the
     *                       GPU harness: a kernel that skips an element then shows)
     */
    public static CudaBackend open(String library, int ordinal, CpuBackend cpu, double budgetFraction, boolean poison) {
        CudaDevice d = CudaDriver.open(library, ordinal);
        try {
            return new CudaBackend(d, cpu, budgetFraction, poison);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    public BackendMetrics metrics() {
        return metrics;
    }

    /** The device's name and memory. */
    public io.hounsfield.cuda.CudaStatus.Device device() {
        return device.info();
    }

    /** True until a sticky error; afterwards every operation runs on the CPU. */
    public boolean usable() {
        return device.usable();
    }

    /**
     * Keeps a device copy of {@code volume} between operations (uploaded on first use, within the
     * cache's budget): float32 when an operation reads it as an image, its own bytes when it is a mask's
     * label map ({@link Mask#asVolume()}; the bounding box and the ROI's bytes are then found on the device).
     * The caller promises not to change {@code volume} until {@link #release}; {@code key} names it in logs
     * (e.g. its SeriesInstanceUID). Keeps nest (a server's handle kept by its upload and again by each request
     * on it): the copy stays until every keep is released.
     */
    @Override
    public void keep(Volume volume, String key) {
        if (!holdable(volume)) {
            // Its copy could never be cached, and would go up whole for every operation: its operations work as for a
            // volume not kept — only the ROI's parts cross the bus, samples on the host.
            LOG.debug("not keeping {} ({}) on the device: its float32 copy would exceed the cache's budget", key, volume);
            return;
        }
        // On a device that no longer takes work, operations run on the CPU: there is nothing to keep.
        ownerThreadBookkeeping("keep", () -> device.submit(c -> {
            cache.keep(volume, key);
            return null;
        }));
    }

    /** Whether {@code volume} may be kept: its float32 copy (the largest form) within the cache's budget. */
    private boolean holdable(Volume volume) {
        return 4 * volume.voxelCount() <= cache.budget();
    }

    /**
     * Ends one {@link #keep}; at the last, frees the device copies of {@code volume} and forgets it. A volume from
     * {@link #resampleKept} whose host voxels were never filled stays unfilled (as that method says).
     */
    @Override
    public void release(Volume volume) {
        if (!device.usable()) {
            deferred.remove(volume); // its copies went with the device
        }
        // A device that no longer takes work frees nothing: its memory goes with the process.
        ownerThreadBookkeeping("release", () -> device.submit(c -> {
            cache.release(volume);
            if (!cache.isKept(volume)) {
                deferred.remove(volume);
            }
            return null;
        }));
    }

    /**
     * Runs cache bookkeeping on the owner thread; on a device that refuses work (after a sticky error)
     * it is skipped and logged, never thrown: keep and release must not fail requests the CPU serves.
     */
    private void ownerThreadBookkeeping(String what, Supplier<java.util.concurrent.CompletableFuture<Void>> work) {
        if (!device.usable()) {
            return;
        }
        try {
            join(work.get());
        } catch (CudaException e) {
            LOG.warn("CUDA {} skipped: {}", what, e.getMessage());
        }
    }

    /** The types whose float32 device copy holds every value exactly. */
    private static boolean exactOnDevice(VoxelType t) {
        return t == VoxelType.INT16 || t == VoxelType.UINT16 || t == VoxelType.UINT8 || t == VoxelType.FLOAT32;
    }

    /** Bytes the device holds now for kept volumes (their copies in the cache; 0 on a device that no longer takes work). */
    public long keptBytes() {
        long[] bytes = new long[1];
        ownerThreadBookkeeping("size", () -> device.submit(c -> {
            bytes[0] = cache.residentBytes();
            return null;
        }));
        return bytes[0];
    }

    /**
     * Whether {@code volume} is kept ({@link #keep}) on a device that still takes work. Read here, not on the owner
     * thread: the families' operations ask it before each device operation, and a hop to the owner thread would
     * queue behind whatever device work another family has there.
     */
    private boolean keptOnDevice(Volume volume) {
        return device.usable() && cache.isKept(volume);
    }

    /**
     * Volumes whose only full copy is on the device (from {@link #resampleKept} / {@link #resampleLabelKept}): their
     * host voxels are filled ({@link #materialize}) before anything reads them on the host, else never.
     */
    private final java.util.Map<Volume, DeviceVolumeCache.Form> deferred = new java.util.concurrent.ConcurrentHashMap<>();

    /** The CPU backend, for work on host voxels: every volume whose voxels are only on the device is filled first. */
    private CpuBackend cpu() {
        materialize(null);
        return cpu;
    }

    /**
     * Downloads the device copy of {@code only} (null: of every deferred volume) into its host voxels.
     *
     * @throws IllegalStateException if the device that holds them can no longer give them (the request fails)
     */
    private void materialize(Volume only) {
        if (deferred.isEmpty() || only != null && !deferred.containsKey(only)) {
            return;
        }
        String lost = "voxels that were only on the CUDA device (a resampled block of a request) are lost: the device failed";
        if (Thread.currentThread() == owner) {
            throw new IllegalStateException("host voxels asked for inside device work (a CudaBackend bug)");
        }
        if (!device.usable()) {
            throw new IllegalStateException(lost);
        }
        try {
            join(device.submit(c -> {
                // Forgotten only once filled: another thread that still sees it deferred queues behind this download.
                for (var e : java.util.List.copyOf(deferred.entrySet())) {
                    Volume v = e.getKey();
                    if (only != null && v != only || !deferred.containsKey(v)) {
                        continue;
                    }
                    DeviceBuffer copy = cache.resident(v, e.getValue());
                    if (copy == null) {
                        throw new IllegalStateException(lost);
                    }
                    download(c, copy, v.segment());
                    deferred.remove(v);
                }
                return null;
            }));
        } catch (CudaException e) {
            throw new IllegalStateException(lost + " (" + e.getMessage() + ")", e);
        }
    }

    /** Fills the host voxels of a volume {@link #resampleKept} or {@link #resampleLabelKept} left on the device. */
    @Override
    public void hostCopy(Volume volume) {
        materialize(volume);
    }

    /**
     * The host copy, and the device copy of a kept volume already on the device, rounded alike; a block
     * {@link #resampleKept} left on the device is rounded there only (its host voxels are unfilled).
     */
    @Override
    public void roundInPlace(Volume volume) {
        if (volume.type() != VoxelType.FLOAT32 || !keptOnDevice(volume)) {
            materialize(volume); // nothing unless its voxels are only on the device (which then must give them)
            ComputeBackend.super.roundInPlace(volume);
            return;
        }
        boolean onlyOnDevice = deferred.containsKey(volume);
        if (!onlyOnDevice) {
            ComputeBackend.super.roundInPlace(volume);
        }
        onDevice("round", () -> {
            // The device copy could not be rounded: round the host copy (filled from the device first if it was not) and
            // drop the device copy (the next use uploads the rounded host copy).
            if (onlyOnDevice) {
                materialize(volume);
                ComputeBackend.super.roundInPlace(volume);
            }
            ownerThreadBookkeeping("drop the unrounded copy", () -> device.submit(c -> {
                cache.drop(volume);
                return null;
            }));
            return null;
        }, c -> {
            var copy = cache.resident(volume, DeviceVolumeCache.Form.FLOAT32);
            if (copy != null) {
                kernels.roundF32(copy, volume.voxelCount());
            }
            return null;
        });
    }

    // ---- operations on the CPU ---------------------------------------------------------------------

    /**
     * On the device for a mask kept there ({@link #keep} of its label map): one pass over its bytes, six ints
     * back. A mask that is not kept is scanned here (uploading it would cost more than the scan).
     */
    @Override
    public java.util.Optional<IndexBox> boundingBox(Mask mask, int label) {
        if (label < 0 || label > 255 || !keptOnDevice(mask.asVolume())) {
            return cpu().boundingBox(mask, label); // says what is wrong with a label
        }
        return onDevice("boundingBox", () -> cpu().boundingBox(mask, label), c -> {
            Extent e = mask.geometry().extent();
            try (Upload m = labels(c, mask); DeviceBuffer out = c.allocate(6 * 4)) {
                c.fill32(out, 0, 3, Integer.MAX_VALUE); // an empty box for the kernel's min/max atomics
                c.fill32(out, 12, 3, -1);
                kernels.labelBounds(m.buffer(), e.nx(), e.ny(), e.nz(), label, out);
                int[] b = new int[6];
                download(c, out, MemorySegment.ofArray(b));
                return b[3] < 0 ? java.util.Optional.<IndexBox>empty() : java.util.Optional.of(new IndexBox(b[0], b[1], b[2], b[3] + 1, b[4] + 1, b[5] + 1));
            }
        });
    }

    @Override
    public RoiSample sample(Volume image, Mask mask, int label, IndexBox box) {
        metrics.cpuFallback();
        return cpu().sample(image, mask, label, box);
    }

    @Override
    public double[] sphereMeans(Volume image, long[] centres, double radiusMm) {
        VoxelType t = image.type();
        if (centres.length == 0 || t == VoxelType.INT32 || t == VoxelType.FLOAT64) {
            // Nothing to do, or values float32 cannot hold exactly: the CPU sums them as they are.
            metrics.cpuFallback();
            return cpu().sphereMeans(image, centres, radiusMm);
        }
        boolean kept = keptOnDevice(image);
        return onDevice("sphereMeans", () -> cpu().sphereMeans(image, centres, radiusMm), c -> {
            SphereLayout L = SphereLayout.of(image.geometry(), centres, radiusMm);
            var e = image.extent();
            long rows = (long) L.rowsZ() * L.rowsY();
            // Only the block the spheres touch: cut from the device's copy of a kept image, else crossing the bus
            // as float32 (exact for this image's type).
            float[] block = kept ? null : floatBox(image, L.block());
            int[] layout = L.packed(e);
            try (DeviceBuffer b = kept ? cutBlock(c, image, L) : uploaded(c, MemorySegment.ofArray(block)); DeviceBuffer prefix = output(c, 8 * rows * L.stride());
                 DeviceBuffer cs = uploaded(c, MemorySegment.ofArray(centres)); DeviceBuffer lay = uploaded(c, MemorySegment.ofArray(layout));
                 DeviceBuffer out = output(c, 8L * centres.length)) {
                kernels.rowPrefix(b, L.w(), rows, prefix);
                kernels.sphereMeans(prefix, cs, centres.length, lay, layout, out);
                double[] means = new double[centres.length];
                download(c, out, MemorySegment.ofArray(means));
                return means;
            }
        });
    }


    /**
     * On the device for a kept image of an exact type (its float32 copy holds the image's values): the intensity
     * mask's extent and maximum in one pass over the box (cut from a kept mask, else the box's mask bytes go up),
     * then one sphere mean per mask voxel reduced to the two peaks by integer max atomics — sixteen bytes come
     * back, no centres go up, no means come down. The means are summed as {@link #sphereMeans} sums them (the
     * block from the mask's extent), so the peaks are the CPU's bit for bit. Else as {@link #sphereMeans} does.
     */
    @Override
    public double[] intensityPeaks(Volume image, Mask mask, int label, IndexBox box, double lo, double hi, double radiusMm, Supplier<RoiSample> sample) {
        if (!readsMaskOnDevice(image, mask, box)) {
            return ComputeBackend.super.intensityPeaks(image, mask, label, box, lo, hi, radiusMm, sample);
        }
        Extent e = image.extent();
        return onDevice("intensityPeaks", () -> cpu().intensityPeaks(image, mask, label, box, lo, hi, radiusMm, sample), c -> {
            try (MaskOnDevice in = maskOnDevice(c, image, mask, label, box, lo, hi); DeviceBuffer ext = uploaded(c,
                    MemorySegment.ofArray(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1, -1, Integer.MIN_VALUE}))) {
                kernels.maskExtent(in.mask(), ext);
                int[] x = new int[7];
                download(c, ext, MemorySegment.ofArray(x));
                if (x[3] < 0) {
                    return ComputeBackend.peaks(new double[0], new double[0]);
                }
                // The block the spheres of the mask's voxels touch, as sphereMeans lays it out for those centres.
                SphereLayout L = SphereLayout.of(image.geometry(), new IndexBox(x[0], x[1], x[2], x[3] + 1, x[4] + 1, x[5] + 1), radiusMm);
                int[] layout = L.packed(e);
                long rows = (long) L.rowsZ() * L.rowsY();
                int topBits = x[6] >= 0 ? x[6] : x[6] ^ 0x7FFFFFFF;
                try (DeviceBuffer blk = cutBlock(c, image, L); DeviceBuffer prefix = output(c, 8 * rows * L.stride());
                     DeviceBuffer lay = uploaded(c, MemorySegment.ofArray(layout)); DeviceBuffer peaks = c.allocate(16)) {
                    c.fill8(peaks, 0, 16, (byte) 0);
                    kernels.rowPrefix(blk, L.w(), rows, prefix);
                    kernels.spherePeaks(prefix, lay, layout, in.mask(), Float.intBitsToFloat(topBits), peaks);
                    long[] k = new long[2];
                    download(c, peaks, MemorySegment.ofArray(k));
                    return new double[] {fromKey(k[0]), fromKey(k[1])};
                }
            }
        });
    }

    /**
     * On the device for a kept mask: its box's bytes are cut there and the ten exact sums come back (80 bytes).
     * Otherwise from the sample (the host has the mask; the box would have to go up).
     */
    @Override
    public long[] indexMoments(Mask mask, int label, IndexBox box, Supplier<RoiSample> sample) {
        if (!box.within(mask.geometry().extent()) || !keptOnDevice(mask.asVolume())) {
            return ComputeBackend.super.indexMoments(mask, label, box, sample);
        }
        return onDevice("indexMoments", () -> cpu().indexMoments(mask, label, box, sample), c -> {
            Extent be = box.extent();
            try (DeviceBuffer roi = labelBox(c, mask, label, box, false); DeviceBuffer out = c.allocate(8L * Kernels.MOMENTS)) {
                c.fill8(out, 0, out.byteSize(), (byte) 0);
                kernels.indexMoments(roi, box.x0(), box.y0(), box.z0(), be.nx(), be.ny(), be.nz(), out);
                long[] m = new long[Kernels.MOMENTS];
                download(c, out, MemorySegment.ofArray(m));
                return m;
            }
        });
    }

    /**
     * An intensity mask on the device as the kernels read it ({@code mask}: the image's float32 copy, the ROI box's
     * bytes, the bounds), with the image's {@link Upload}; closing frees the box's bytes and a temporary image copy.
     */
    private record MaskOnDevice(Upload image, Kernels.IntensityMask mask) implements AutoCloseable {
        @Override
        public void close() {
            try (image) {
                mask.roi().close();
            }
        }
    }

    /**
     * The intensity mask of {@code label} in {@code box} of {@code image} with values in [lo, hi] (a NaN bound is none)
     * on the device: the image's copy (kept or uploaded) and the box's ROI bytes (cut from a kept mask, else uploaded).
     */
    private MaskOnDevice maskOnDevice(CudaContext c, Volume image, Mask mask, int label, IndexBox box, double lo, double hi) {
        Upload img = floats(c, image);
        try {
            DeviceBuffer roi = labelBox(c, mask, label, box, false);
            Extent e = image.extent(), be = box.extent();
            return new MaskOnDevice(img, new Kernels.IntensityMask(img.buffer(), e.nx(), e.ny(), box.x0(), box.y0(), box.z0(), be.nx(), be.ny(),
                    be.nz(), roi, lower(lo), upper(hi)));
        } catch (RuntimeException | Error x) {
            img.close();
            throw x;
        }
    }

    /** A lower bound for the kernels: NaN (none) as −∞. */
    private static double lower(double lo) {
        return Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo;
    }

    /** An upper bound for the kernels: NaN (none) as +∞. */
    private static double upper(double hi) {
        return Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi;
    }

    /** Whether the intensity mask of {@code image} in {@code box} can be read on the device: a kept image of an exact type. */
    private boolean readsMaskOnDevice(Volume image, Mask mask, IndexBox box) {
        sameGrid(image, mask);
        return exactOnDevice(image.type()) && box.within(image.extent()) && keptOnDevice(image);
    }

    /**
     * On the device for a kept image of an exact type: one thread sums each row of the box in x order (the
     * CPU's arithmetic), the rows' sums come back (40 bytes a row) and are added here in row order as
     * {@link RoiSums#weightedSums} adds them: the CPU's sums bit for bit.
     */
    @Override
    public double[] weightedSums(Volume image, Mask mask, int label, IndexBox box, double lo, double hi, Supplier<RoiSample> sample) {
        if (!readsMaskOnDevice(image, mask, box)) {
            return ComputeBackend.super.weightedSums(image, mask, label, box, lo, hi, sample);
        }
        Extent be = box.extent();
        int rows = Math.toIntExact((long) be.ny() * be.nz());
        return onDevice("weightedSums", () -> cpu().weightedSums(image, mask, label, box, lo, hi, sample), c -> {
            try (MaskOnDevice in = maskOnDevice(c, image, mask, label, box, lo, hi); DeviceBuffer out = output(c, 5L * 8 * rows)) {
                kernels.weightedRows(in.mask(), out);
                double[] r = new double[5 * rows];
                download(c, out, MemorySegment.ofArray(r));
                double[] total = new double[RoiSums.WEIGHTED];
                for (int k = 0; k < rows; k++) {
                    if (r[5 * k + 4] > 0) {
                        RoiSums.addRow(total, r, 5 * k);
                    }
                }
                return total;
            }
        });
    }

    /**
     * On the device for a kept image of an exact type: each box row's voxel count (comes back, 4 bytes a row),
     * the rows' first ranks (go up), then each row's voxels among {@code ranks} are written at their places:
     * only the gathered indices and values come back.
     */
    @Override
    public RoiSample gather(Volume image, Mask mask, int label, IndexBox box, double lo, double hi, int[] ranks, Supplier<RoiSample> sample) {
        if (ranks.length == 0 || !readsMaskOnDevice(image, mask, box)) {
            return ComputeBackend.super.gather(image, mask, label, box, lo, hi, ranks, sample);
        }
        Extent be = box.extent();
        int rows = Math.toIntExact((long) be.ny() * be.nz()), m = ranks.length;
        return onDevice("gather", () -> cpu().gather(image, mask, label, box, lo, hi, ranks, sample), c -> {
            try (MaskOnDevice in = maskOnDevice(c, image, mask, label, box, lo, hi); DeviceBuffer counts = output(c, 4L * rows);
                 DeviceBuffer rk = uploaded(c, MemorySegment.ofArray(ranks)); DeviceBuffer idx = output(c, 8L * m); DeviceBuffer val = output(c, 8L * m)) {
                kernels.maskRowCounts(in.mask(), counts);
                int[] start = new int[rows];
                download(c, counts, MemorySegment.ofArray(start));
                long total = 0;
                for (int k = 0; k < rows; k++) { // counts → each row's first rank
                    int n = start[k];
                    start[k] = (int) total;
                    total += n;
                }
                if (ranks[m - 1] >= total) {
                    throw new IllegalArgumentException("rank " + ranks[m - 1] + " of an intensity mask of " + total + " voxels");
                }
                try (DeviceBuffer st = uploaded(c, MemorySegment.ofArray(start))) {
                    kernels.gatherRanks(in.mask(), st, rk, m, idx, val);
                }
                long[] i = new long[m];
                double[] v = new double[m];
                download(c, idx, MemorySegment.ofArray(i));
                download(c, val, MemorySegment.ofArray(v));
                return new RoiSample(v, i);
            }
        });
    }

    /** The double whose order key (hounsfield.cu's double_key) is {@code key}; key 0 (none) is −∞. */
    private static double fromKey(long key) {
        if (key == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return Double.longBitsToDouble(key < 0 ? key & Long.MAX_VALUE : ~key);
    }

    @Override
    public Mesh mesh(Mask mask, int label, IndexBox box) {
        metrics.cpuFallback();
        return cpu().mesh(mask, label, box);
    }

    /** The block of a kept image the spheres of {@code L} touch, cut on the device from its float32 copy. */
    private DeviceBuffer cutBlock(CudaContext c, Volume image, SphereLayout L) {
        var e = image.extent();
        DeviceBuffer b = output(c, 4L * L.w() * L.rowsY() * L.rowsZ());
        try (Upload in = floats(c, image)) {
            kernels.cropF32(in.buffer(), e.nx(), e.ny(), e.nz(), L.bx0(), L.by0(), L.bz0(), b, L.w(), L.rowsY(), L.rowsZ());
            return b;
        } catch (RuntimeException | Error x) {
            b.close();
            throw x;
        }
    }

    /**
     * The label's padded occupancy (one byte per voxel of its box grown by one) crosses the bus; the
     * configuration counts (8 KiB) and the row ends (two ints per row of doubled coordinates) come back.
     */
    @Override
    public SurfaceCounts surfaceCounts(Mask mask, int label, IndexBox box) {
        return onDevice("surfaceCounts", () -> cpu().surfaceCounts(mask, label, box), c -> {
            int px = box.x1() - box.x0() + 2, py = box.y1() - box.y0() + 2, pz = box.z1() - box.z0() + 2;
            int rows = Math.toIntExact(Kernels.surfaceRows(py, pz));
            try (DeviceBuffer o = labelBox(c, mask, label, box, true); DeviceBuffer words = c.allocate(8L * Kernels.SURFACE_CONFIG_WORDS);
                 DeviceBuffer lo = c.allocate(4L * rows); DeviceBuffer hi = c.allocate(4L * rows)) {
                c.fill8(words, 0, words.byteSize(), (byte) 0);
                c.fill8(lo, 0, lo.byteSize(), (byte) 0x7F); // 0x7F7F7F7F: beyond any doubled coordinate
                c.fill8(hi, 0, hi.byteSize(), (byte) 0xFF); // -1: an empty row
                kernels.surfaceConfigs(o, px, py, pz, words);
                kernels.surfaceRowEnds(o, px, py, pz, lo, hi);
                long[] w = new long[Kernels.SURFACE_CONFIG_WORDS];
                int[] l = new int[rows], h = new int[rows];
                download(c, words, MemorySegment.ofArray(w));
                download(c, lo, MemorySegment.ofArray(l));
                download(c, hi, MemorySegment.ofArray(h));
                return MarchingCubes.assemble(w, l, h, box);
            }
        });
    }

    @Override
    public ValueCounts valueCounts(Volume image, Mask mask, int label, IndexBox box, double lo, double hi) {
        return valueCounts(image, mask, label, box, lo, hi, () -> ValueCounts.within(cpu().sample(image, mask, label, box).intensities(), lo, hi));
    }

    /**
     * On the device for int16, uint16 and uint8 images (their float32 copy is exact, their values few): each
     * ROI voxel in range adds one to its value's bin, and the non-zero bins come back, packed. Float32 images
     * (resampled ones among them) go into a device hash table of twice the box's voxels (a power of two), whose
     * occupied entries come back packed and are sorted here: each distinct float is one entry with an integer
     * count. A kept volume is read in place; otherwise only the box crosses the bus. Other types (int32,
     * float64), and a table that overflows (it cannot at twice the voxels unless the hash degenerates), are
     * counted on the host from {@code values}.
     */
    @Override
    public ValueCounts valueCounts(Volume image, Mask mask, int label, IndexBox box, double lo, double hi,
                                   java.util.function.Supplier<double[]> values) {
        sameGrid(image, mask);
        VoxelType t = image.type();
        boolean bins = t == VoxelType.INT16 || t == VoxelType.UINT16 || t == VoxelType.UINT8;
        boolean table = t == VoxelType.FLOAT32 && 2 * box.extent().voxelCount() <= Kernels.MAX_VALUE_SLOTS;
        Supplier<ValueCounts> onHost = () -> ValueCounts.of(values.get());
        if (!(bins || table) || !box.within(image.extent())) {
            metrics.cpuFallback();
            return onHost.get();
        }
        double a = lower(lo), b = upper(hi);
        boolean kept = keptOnDevice(image);
        ValueCounts r = onDevice("valueCounts", onHost, c -> {
            var e = image.extent();
            int bx = box.x1() - box.x0(), by = box.y1() - box.y0(), bz = box.z1() - box.z0();
            // Where the box lies in what the kernel reads: the kept image, or the box alone.
            int[] at = kept ? new int[] {e.nx(), e.ny(), e.nz(), box.x0(), box.y0(), box.z0()} : new int[] {bx, by, bz, 0, 0, 0};
            try (Upload img = kept ? floats(c, image) : new Upload(uploaded(c, MemorySegment.ofArray(floatBox(image, box))), true);
                 DeviceBuffer roi = labelBox(c, mask, label, box, false)) {
                return bins ? binCounts(c, img.buffer(), at, bx, by, bz, roi, a, b, t) : tableCounts(c, img.buffer(), at, bx, by, bz, roi, a, b);
            }
        });
        if (r == null) {
            metrics.cpuFallback();
            BackendEvents.cpuInstead("valueCounts", "the device's value table overflowed");
            return onHost.get();
        }
        return r;
    }

    /** One bin per value of the type; only the non-zero bins come back (the ROI's distinct values), packed. */
    private ValueCounts binCounts(CudaContext c, DeviceBuffer img, int[] at, int bx, int by, int bz, DeviceBuffer roi, double a, double b,
                                  VoxelType t) {
        int offset = t == VoxelType.INT16 ? Short.MIN_VALUE : 0, nbins = t == VoxelType.UINT8 ? 256 : 65536;
        try (DeviceBuffer hist = c.allocate(4L * nbins); DeviceBuffer used = c.allocate(4); DeviceBuffer packed = c.allocate(8L * nbins)) {
            c.fill8(hist, 0, hist.byteSize(), (byte) 0);
            c.fill8(used, 0, 4, (byte) 0);
            kernels.valueCounts(img, at[0], at[1], at[2], at[3], at[4], at[5], bx, by, bz, roi, a, b, offset, nbins, hist);
            kernels.binsPack(hist, nbins, used, packed);
            long[] counts = new long[nbins];
            int[] pairs = packed(c, used, packed);
            for (int i = 0; i < pairs.length; i += 2) {
                counts[pairs[i]] = Integer.toUnsignedLong(pairs[i + 1]);
            }
            return ValueCounts.ofDense(counts, offset);
        }
    }

    /** A hash table of the distinct floats; null if it overflowed. */
    private ValueCounts tableCounts(CudaContext c, DeviceBuffer img, int[] at, int bx, int by, int bz, DeviceBuffer roi, double a, double b) {
        int slots = Integer.highestOneBit((int) Math.max(512, 2L * bx * by * bz - 1)) << 1;
        try (DeviceBuffer keys = c.allocate(4L * slots); DeviceBuffer counts = c.allocate(4L * slots); DeviceBuffer overflow = c.allocate(4);
             DeviceBuffer used = c.allocate(4); DeviceBuffer packed = c.allocate(8L * slots)) {
            c.fill8(keys, 0, keys.byteSize(), (byte) 0xFF);
            c.fill8(counts, 0, counts.byteSize(), (byte) 0);
            c.fill8(overflow, 0, 4, (byte) 0);
            c.fill8(used, 0, 4, (byte) 0);
            kernels.valueTable(img, at[0], at[1], at[2], at[3], at[4], at[5], bx, by, bz, roi, a, b, slots, keys, counts, overflow);
            int[] f = new int[1];
            download(c, overflow, MemorySegment.ofArray(f));
            if (f[0] != 0) {
                return null;
            }
            kernels.valueTablePack(keys, counts, slots, used, packed);
            return fromTable(packed(c, used, packed));
        }
    }

    /** The (key, count) pairs a packing kernel wrote: {@code used} says how many. */
    private int[] packed(CudaContext c, DeviceBuffer used, DeviceBuffer packed) {
        int[] k = new int[1];
        download(c, used, MemorySegment.ofArray(k));
        int[] pairs = new int[2 * k[0]];
        if (pairs.length > 0) {
            download(c, packed, MemorySegment.ofArray(pairs));
        }
        return pairs;
    }

    /** The block {@code box} of {@code image} as float32, x fastest (exact for the types the device reads). */
    private static float[] floatBox(Volume image, IndexBox box) {
        var e = image.extent();
        int bx = box.x1() - box.x0(), by = box.y1() - box.y0(), bz = box.z1() - box.z0();
        float[] out = new float[Math.toIntExact((long) bx * by * bz)];
        for (int z = 0, k = 0; z < bz; z++) {
            for (int y = 0; y < by; y++) {
                long row = e.index(box.x0(), box.y0() + y, box.z0() + z);
                for (int x = 0; x < bx; x++) {
                    out[k++] = (float) image.get(row + x);
                }
            }
        }
        return out;
    }

    /** Packed (float bits, count) pairs in any order → values ascending with their counts. */
    static ValueCounts fromTable(int[] entries) {
        int n = entries.length / 2;
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            // Sort by value: the float's bits as an int whose signed order is the floats' order, then the entry.
            int bits = entries[2 * i];
            long key = bits >= 0 ? bits : bits ^ 0x7FFFFFFF;
            packed[i] = key << 32 | i;
        }
        java.util.Arrays.sort(packed);
        double[] v = new double[n];
        long[] c = new long[n];
        for (int k = 0; k < n; k++) {
            int i = (int) packed[k];
            v[k] = Float.intBitsToFloat(entries[2 * i]);
            c[k] = Integer.toUnsignedLong(entries[2 * i + 1]);
        }
        return new ValueCounts(v, c);
    }

    /**
     * One device thread per point sums its row of pairs in the CPU's order; the rows come back (24 bytes a
     * point) and are added here as the CPU adds them, so the sums equal the CPU's bit for bit.
     */
    @Override
    public double[] inverseDistanceSums(double[] positions, double[] values, double mean) {
        int m = values.length;
        if (positions.length != 3 * m) {
            return cpu().inverseDistanceSums(positions, values, mean); // says what is wrong
        }
        if (m < 2) {
            metrics.cpuFallback(); // no pair
            return cpu().inverseDistanceSums(positions, values, mean);
        }
        return onDevice("inverseDistanceSums", () -> cpu().inverseDistanceSums(positions, values, mean), c -> {
            try (DeviceBuffer p = uploaded(c, MemorySegment.ofArray(positions)); DeviceBuffer x = uploaded(c, MemorySegment.ofArray(values));
                 DeviceBuffer rows = output(c, 24L * m)) {
                kernels.inverseDistanceRows(p, x, (long) m, mean, rows);
                double[] r = new double[3 * m];
                download(c, rows, MemorySegment.ofArray(r));
                return CpuBackend.foldRows(r, m);
            }
        });
    }

    // ---- operations on the device ------------------------------------------------------------------

    @Override
    public Volume resample(Volume image, Geometry target, Interpolation interpolation) {
        return resample(image, target, interpolation, IndexBox.of(target.extent()));
    }

    @Override
    public Volume resample(Volume image, Geometry target, Interpolation interpolation, IndexBox block) {
        return resample(image, target, interpolation, block, null);
    }

    /**
     * On the device, and left there: the block stays the kept volume's only full copy (its host voxels are filled
     * only if something reads them on the host — a fallback — or {@link #hostCopy} asks), so it does not cross the
     * bus at all; rounding it ({@link #roundInPlace}) rounds that copy. A block larger than the cache can hold comes
     * down as {@link #resample} would.
     */
    @Override
    public Volume resampleKept(Volume image, Geometry target, Interpolation interpolation, IndexBox block, String key) {
        return resample(image, target, interpolation, block, key);
    }

    /** The resampled block, downloaded ({@code key} null) or kept under {@code key} and left on the device. */
    private Volume resample(Volume image, Geometry target, Interpolation interpolation, IndexBox block, String key) {
        Supplier<Volume> onCpu = () -> {
            Volume v = cpu().resample(image, target, interpolation, block);
            return key == null ? v : Resampling.keptOrClosed(this, v, key);
        };
        if (interpolation == Interpolation.TRICUBIC) {
            metrics.cpuFallback(); // no device kernel for tricubic convolution yet
            return onCpu.get();
        }
        return onDevice("resample", onCpu, c -> {
            Volume out = Volume.allocate(Resampling.blockGrid(target, block), VoxelType.FLOAT32);
            computedOnDevice(c, out, DeviceVolumeCache.Form.FLOAT32, key, () -> {
                var src = image.extent();
                var dst = out.extent();
                double[] map = Resampling.indexMap(image.geometry(), target);
                DeviceBuffer d = output(c, 4 * dst.voxelCount());
                try (Upload in = floats(c, image); DeviceBuffer m = uploaded(c, MemorySegment.ofArray(map))) {
                    kernels.resampleF32(in.buffer(), src.nx(), src.ny(), src.nz(), m, d, dst.nx(), dst.ny(), dst.nz(), block.x0(), block.y0(),
                            block.z0(), interpolation == Interpolation.TRILINEAR);
                    return d;
                } catch (RuntimeException | Error e) {
                    d.close();
                    throw e;
                }
            });
            return out;
        });
    }

    /**
     * Computes {@code out}'s voxels on the device ({@code compute}, a new buffer) and either downloads them ({@code key}
     * null) or keeps {@code out} under {@code key} with that device result as its only full copy (downloaded after all
     * if the cache cannot take it). {@code out} is closed if anything fails.
     */
    private void computedOnDevice(CudaContext c, Volume out, DeviceVolumeCache.Form form, String key, Supplier<DeviceBuffer> compute) {
        DeviceBuffer d = null;
        boolean kept = false;
        try {
            d = compute.get();
            if (key != null && holdable(out)) {
                cache.keep(out, key);
                kept = true;
                if (cache.admit(out, form, d)) {
                    deferred.put(out, form);
                    return;
                }
            }
            download(c, d, out.segment());
            d.close();
        } catch (RuntimeException | Error e) {
            if (kept) {
                deferred.remove(out);
                cache.release(out); // frees d too if it was admitted
            }
            if (d != null) {
                d.close();
            }
            out.close();
            throw e;
        }
    }

    /**
     * On the device from the label's indicator over the ROI's box grown by one voxel (the only part that is
     * not 0), never an indicator of the whole grid: the CPU's result bit for bit.
     */
    @Override
    public Mask resampleLabel(Mask mask, int label, IndexBox roi, Geometry target, IndexBox block) {
        return resampleLabel(mask, label, roi, target, block, null);
    }

    /** As {@link #resampleLabel}, the label map kept and left on the device as {@link #resampleKept} leaves a block. */
    @Override
    public Mask resampleLabelKept(Mask mask, int label, IndexBox roi, Geometry target, IndexBox block, String key) {
        return resampleLabel(mask, label, roi, target, block, key);
    }

    private Mask resampleLabel(Mask mask, int label, IndexBox roi, Geometry target, IndexBox block, String key) {
        Extent se = mask.geometry().extent();
        IndexBox box = roi.expand(1, se);
        Extent be = box.extent();
        Supplier<Mask> onCpu = () -> {
            Mask m = cpu().resampleLabel(mask, label, roi, target, block);
            if (key != null) {
                Resampling.keptOrClosed(this, m.asVolume(), key);
            }
            return m;
        };
        if (be.voxelCount() > Integer.MAX_VALUE - 16) {
            metrics.cpuFallback(); // an indicator box past a Java array's size
            return onCpu.get();
        }
        return onDevice("resampleLabel", onCpu, c -> {
            Mask out = Mask.allocate(Resampling.blockGrid(target, block));
            computedOnDevice(c, out.asVolume(), DeviceVolumeCache.Form.LABELS, key, () -> {
                Extent dst = out.geometry().extent();
                double[] map = Resampling.indexMap(mask.geometry(), target);
                DeviceBuffer d = output(c, dst.voxelCount());
                try (DeviceBuffer in = labelBox(c, mask, label, box, false); DeviceBuffer m = uploaded(c, MemorySegment.ofArray(map))) {
                    kernels.resampleLabel(in, box.x0(), box.y0(), box.z0(), be.nx(), be.ny(), be.nz(), se.nx(), se.ny(), se.nz(), m, d,
                            dst.nx(), dst.ny(), dst.nz(), block.x0(), block.y0(), block.z0(), label);
                    return d;
                } catch (RuntimeException | Error e) {
                    d.close();
                    throw e;
                }
            });
            return out;
        });
    }

    @Override
    public Moments moments(Volume image, Mask mask, int label) {
        sameGrid(image, mask);
        return onDevice("moments", () -> cpu().moments(image, mask, label), c -> {
            long n = image.voxelCount();
            try (Upload in = floats(c, image); DeviceBuffer inLabel = labelMask(c, in, mask, label, n);
                 DeviceBuffer partials = c.allocate(8L * 5 * Kernels.REDUCE_BLOCKS); DeviceBuffer out = output(c, 40)) {
                kernels.maskedMoments(in.buffer(), inLabel, n, partials, out);
                double[] r = new double[5];
                download(c, out, MemorySegment.ofArray(r));
                return new Moments((long) r[0], r[1], r[2], r[3], r[4]);
            }
        });
    }

    @Override
    public Mask rangeMask(Volume image, Mask mask, int label, double lo, double hi) {
        sameGrid(image, mask);
        return onDevice("rangeMask", () -> cpu().rangeMask(image, mask, label, lo, hi), c -> {
            long n = image.voxelCount();
            Mask out = Mask.allocate(mask.geometry());
            try (Upload in = floats(c, image); Upload labels = labels(c, mask); DeviceBuffer d = output(c, n)) {
                kernels.rangeMask(in.buffer(), labels.buffer(), label, n, lo, hi, d);
                download(c, d, out.asVolume().segment());
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        });
    }

    @Override
    public Volume discretise(Volume image, Mask mask, int label, Binning binning) {
        sameGrid(image, mask);
        return onDevice("discretise", () -> cpu().discretise(image, mask, label, binning), c -> {
            long n = image.voxelCount();
            Volume out = Volume.allocate(image.geometry(), VoxelType.INT32);
            try (Upload in = floats(c, image); DeviceBuffer inLabel = labelMask(c, in, mask, label, n); DeviceBuffer d = output(c, 4 * n)) {
                if (binning.fixedBinNumber()) {
                    kernels.discretiseFixedBinNumber(in.buffer(), inLabel, n, binning.lo(), binning.hi(), binning.ng(), d);
                } else {
                    kernels.discretiseFixedBinSize(in.buffer(), inLabel, n, binning.lo(), binning.width(), d);
                }
                download(c, d, out.segment());
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        });
    }

    @Override
    public long[] histogram(Volume levels, int nbins) {
        if (levels.type() != VoxelType.INT32 || nbins < 1 || nbins > Kernels.MAX_HISTOGRAM_BINS) {
            metrics.cpuFallback(); // the CPU says what is wrong, or counts more bins than the kernel's shared memory holds
            return cpu().histogram(levels, nbins);
        }
        return onDevice("histogram", () -> cpu().histogram(levels, nbins), c -> {
            long n = levels.voxelCount();
            try (DeviceBuffer in = uploaded(c, levels.segment()); DeviceBuffer h = c.allocate(8L * nbins)) {
                c.fill8(h, 0, h.byteSize(), (byte) 0);
                kernels.histogram(in, n, nbins, h);
                long[] out = new long[nbins];
                download(c, h, MemorySegment.ofArray(out));
                return out;
            }
        });
    }

    /**
     * On the device only for a volume kept there ({@link #keep}; int16, uint16, uint8 or float32, which
     * the device holds exactly): only the box comes back. Otherwise uploading the whole volume to cut a box
     * costs more than cutting it here, so the CPU does it.
     */
    @Override
    public Volume crop(Volume image, IndexBox box) {
        VoxelType t = image.type();
        if (!exactOnDevice(t) || !keptOnDevice(image) || !box.within(image.extent())) {
            metrics.cpuFallback();
            return cpu().crop(image, box);
        }
        return onDevice("crop", () -> cpu().crop(image, box), c -> {
            var e = image.extent();
            int dx = box.x1() - box.x0(), dy = box.y1() - box.y0(), dz = box.z1() - box.z0();
            Geometry g = image.geometry().crop(box);
            try (Upload in = floats(c, image); DeviceBuffer d = output(c, 4L * dx * dy * dz);
                 Volume f = Volume.allocate(g, VoxelType.FLOAT32)) {
                kernels.cropF32(in.buffer(), e.nx(), e.ny(), e.nz(), box.x0(), box.y0(), box.z0(), d, dx, dy, dz);
                download(c, d, f.segment());
                return f.convertTo(t); // exact: the device held these values exactly
            }
        });
    }

    @Override
    public Volume clip(Volume image, double lo, double hi) {
        return onDevice("clip", () -> cpu().clip(image, lo, hi), c -> {
            long n = image.voxelCount();
            Volume out = Volume.allocate(image.geometry(), VoxelType.FLOAT32);
            try (Upload in = floats(c, image); DeviceBuffer d = output(c, 4 * n)) {
                c.copy(in.buffer(), 0, d, 0, 4 * n); // the kept copy stays as it is
                kernels.clipF32(d, n, lo, hi);
                download(c, d, out.segment());
                return out;
            } catch (RuntimeException | Error e) {
                out.close();
                throw e;
            }
        });
    }

    // ---- plumbing ------------------------------------------------------------------------------------

    // ---- texture matrices (IBSI 3.6–3.11) on the device: the slab is uploaded once per (grid, slices) and
    // kept for the next matrix of the same slices; only the counts come back. Integer counts by integer
    // atomics, so each matrix equals the CPU's exactly. ----

    /**
     * The last slab on the device (touched only on the device's owner thread): its grid and slices, its shape and
     * voxel count (a Slab without arrays: device operations read only these), its buffers. Another grid's slab replaces it; a deferred grid then makes its arrays. The
     * grid is held weakly: a finished request's grid (and the samples a deferred grid would make its arrays from)
     * is not kept alive by the slab left on the device.
     */
    private java.lang.ref.WeakReference<LevelGrid> slabGrid = new java.lang.ref.WeakReference<>(null);
    private int slabZ0 = -1, slabZ1 = -1;
    private TextureMatrices.Slab slabShape;
    private DeviceBuffer slabLevels, slabMorph;
    /** The slab's zone labels (GLSZM and GLDZM share them), for 3D (1) or in-slice (0) connectivity; −1: none. */
    private DeviceBuffer slabZones;
    private int slabZonesThreeD = -1;

    private TextureMatrices.Slab slab(CudaContext c, LevelGrid g, int z0, int z1) {
        if (slabGrid.get() == g && slabZ0 == z0 && slabZ1 == z1 && slabLevels != null) {
            return slabShape;
        }
        freeSlab();
        TextureMatrices.Slab h = TextureMatrices.slab(g, z0, z1);
        DeviceBuffer levels = uploaded(c, MemorySegment.ofArray(h.levels()));
        try {
            setSlab(g, z0, z1, h, levels, uploaded(c, MemorySegment.ofArray(h.morph())));
        } catch (RuntimeException | Error e) {
            levels.close();
            throw e;
        }
        return h;
    }

    /** Makes {@code levels} and {@code morph} (owned from now on) the slab of slices [z0, z1) of grid {@code g}. */
    private void setSlab(LevelGrid g, int z0, int z1, TextureMatrices.Slab shape, DeviceBuffer levels, DeviceBuffer morph) {
        freeSlab();
        slabLevels = levels;
        slabMorph = morph;
        slabGrid = new java.lang.ref.WeakReference<>(g);
        slabZ0 = z0;
        slabZ1 = z1;
        slabShape = new TextureMatrices.Slab(shape.px(), shape.py(), shape.pz(), null, null, shape.voxels()); // no host arrays held
    }

    /**
     * On the device for a kept image of an exact type (its float32 copy holds the image's values): the ROI box's
     * mask bytes (cut from a kept mask, else uploaded), then the kernel re-segments and discretises into the padded
     * slab the texture matrices read, which stays on the device as this grid's slab. Only each slice's voxel count
     * comes back: the grid is {@link LevelGrid#deferred deferred}, its arrays made from {@code host} only if a
     * matrix is built on the host (a fallback). Else the caller's grid.
     */
    @Override
    public LevelGrid levelGrid(Volume image, Mask mask, int label, IndexBox box, double lo, double hi, Binning binning, int ng,
                               Supplier<LevelGrid> host) {
        Extent be = box.extent();
        long padded = (long) (be.nx() + 2) * (be.ny() + 2) * (be.nz() + 2);
        if (padded > Integer.MAX_VALUE - 16 || !readsMaskOnDevice(image, mask, box)) {
            return host.get();
        }
        return onDevice("levelGrid", host, c -> {
            int px = be.nx() + 2, py = be.ny() + 2, pz = be.nz() + 2;
            DeviceBuffer levels = null, morph = null;
            try (MaskOnDevice in = maskOnDevice(c, image, mask, label, box, lo, hi); DeviceBuffer counts = c.allocate(8L * be.nz())) {
                levels = c.allocate(4 * padded);
                morph = c.allocate(padded);
                c.fill8(levels, 0, 4 * padded, (byte) 0);
                c.fill8(morph, 0, padded, (byte) 0);
                c.fill8(counts, 0, counts.byteSize(), (byte) 0);
                kernels.levelSlab(in.mask(), binning.fixedBinNumber(), binning.lo(), binning.fixedBinNumber() ? binning.hi() : binning.width(), ng, levels, morph);
                kernels.slabSliceCounts(levels, px, py, pz, counts);
                long[] perSlice = new long[be.nz()];
                download(c, counts, MemorySegment.ofArray(perSlice));
                LevelGrid g = LevelGrid.deferred(be.nx(), be.ny(), be.nz(), ng, perSlice, host);
                // This grid's slab is on the device (no host copy): the texture matrices read it in place.
                setSlab(g, 0, g.nz(), new TextureMatrices.Slab(px, py, pz, null, null, g.count(0, g.nz())), levels, morph);
                return g;
            } catch (RuntimeException | Error ex) {
                if (levels != null && levels != slabLevels) {
                    levels.close();
                }
                if (morph != null && morph != slabMorph) {
                    morph.close();
                }
                throw ex;
            }
        });
    }

    private void freeSlab() {
        if (slabZones != null) {
            slabZones.close();
        }
        slabZones = null;
        slabZonesThreeD = -1;
        if (slabLevels != null) {
            slabLevels.close();
        }
        if (slabMorph != null) {
            slabMorph.close();
        }
        slabLevels = slabMorph = null;
        slabGrid.clear();
        slabShape = null;
    }

    private static void slices(LevelGrid g, int z0, int z1) {
        if (z0 < 0 || z1 > g.nz() || z0 >= z1) {
            throw new IllegalArgumentException("slices [" + z0 + ", " + z1 + ") outside 0.." + g.nz());
        }
    }

    /** {@link #counts} of {@code parts × cells} uint64, one array per part. */
    private long[][] counts(CudaContext c, int parts, long cells, java.util.function.Consumer<DeviceBuffer> fill) {
        long[] all = counts(c, parts * cells, fill);
        long[][] out = new long[parts][];
        for (int i = 0; i < parts; i++) {
            out[i] = java.util.Arrays.copyOfRange(all, Math.toIntExact(i * cells), Math.toIntExact((i + 1) * cells));
        }
        return out;
    }

    /** A zeroed device array of {@code count} uint64, downloaded into a long[] after {@code fill} runs. */
    private long[] counts(CudaContext c, long count, java.util.function.Consumer<DeviceBuffer> fill) {
        try (DeviceBuffer m = c.allocate(8 * count)) {
            c.fill8(m, 0, m.byteSize(), (byte) 0);
            fill.accept(m);
            long[] out = new long[Math.toIntExact(count)];
            download(c, m, MemorySegment.ofArray(out));
            return out;
        }
    }

    @Override
    public long[] cooccurrence(LevelGrid grid, int[] d, int z0, int z1) {
        slices(grid, z0, z1);
        int ng = grid.ng();
        return onDevice("cooccurrence", () -> cpu().cooccurrence(grid, d, z0, z1), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            return counts(c, (long) ng * ng, m -> kernels.glcm(slabLevels, h.px(), h.py(), h.pz(), h.offset(d), ng, m));
        });
    }

    /** Every direction in one launch over the slab (one kernel, one download). */
    @Override
    public long[][] cooccurrences(LevelGrid grid, int[][] dirs, int z0, int z1) {
        slices(grid, z0, z1);
        if (dirs.length == 0) {
            return new long[0][];
        }
        int ng = grid.ng();
        return onDevice("cooccurrence", () -> cpu().cooccurrences(grid, dirs, z0, z1), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            try (DeviceBuffer offs = uploaded(c, MemorySegment.ofArray(offsets(h, dirs)))) {
                return counts(c, dirs.length, (long) ng * ng, m -> kernels.glcmDirections(slabLevels, h.px(), h.py(), h.pz(), offs, dirs.length, ng, m));
            }
        });
    }

    /** Every direction in one launch over the slab (one kernel, one download). */
    @Override
    public SparseCounts[] runLengths(LevelGrid grid, int[][] dirs, int z0, int z1) {
        slices(grid, z0, z1);
        if (dirs.length == 0) {
            return new SparseCounts[0];
        }
        int ng = grid.ng(), maxRun = TextureMatrices.maxRun(grid, z0, z1);
        return onDevice("runLengths", () -> cpu().runLengths(grid, dirs, z0, z1), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            try (DeviceBuffer offs = uploaded(c, MemorySegment.ofArray(offsets(h, dirs)))) {
                long[][] m = counts(c, dirs.length, (long) ng * maxRun,
                        b -> kernels.glrlmDirections(slabLevels, h.px(), h.py(), h.pz(), offs, dirs.length, ng, maxRun, b));
                SparseCounts[] out = new SparseCounts[dirs.length];
                for (int i = 0; i < dirs.length; i++) {
                    out[i] = SparseCounts.ofDense(m[i], ng, maxRun, h.voxels());
                }
                return out;
            }
        });
    }

    /** The most bytes one launch's per-slice matrices may take; beyond, slices go one by one. */
    private static final long SLICE_MATRIX_BYTES = 256L << 20;

    /** Launches a per-slice kernel on the whole grid's slab with the slices' slots. */
    @FunctionalInterface
    private interface SliceLaunch {
        void run(TextureMatrices.Slab slab, DeviceBuffer slots, DeviceBuffer counts);
    }

    /**
     * Per-slice counts over the whole grid's slab (shared with the 3D matrices): {@code perSlice} matrices of
     * {@code cells} for each slice of {@code slices}, slice-major.
     */
    private long[][] sliceCounts(CudaContext c, LevelGrid grid, int[] slices, int perSlice, long cells, SliceLaunch launch) {
        TextureMatrices.Slab h = slab(c, grid, 0, grid.nz());
        try (DeviceBuffer slots = uploaded(c, MemorySegment.ofArray(slotOf(h.pz(), slices)))) {
            return counts(c, slices.length * perSlice, cells, m -> launch.run(h, slots, m));
        }
    }

    /** Every slice and direction in one launch. */
    @Override
    public long[][][] cooccurrenceSlices(LevelGrid grid, int[][] dirs, int[] slices) {
        int ng = grid.ng();
        long cells = (long) ng * ng;
        if (!batchable(grid, dirs, slices, (long) dirs.length * cells)) {
            return ComputeBackend.super.cooccurrenceSlices(grid, dirs, slices);
        }
        return onDevice("cooccurrence", () -> cpu().cooccurrenceSlices(grid, dirs, slices), c -> {
            try (DeviceBuffer offs = uploaded(c, MemorySegment.ofArray(offsets(slab(c, grid, 0, grid.nz()), dirs)))) {
                long[][] m = sliceCounts(c, grid, slices, dirs.length, cells,
                        (h, slots, b) -> kernels.glcmSlices(slabLevels, h.px(), h.py(), h.pz(), offs, dirs.length, slots, slices.length, ng, b));
                long[][][] out = new long[slices.length][][];
                for (int k = 0; k < slices.length; k++) {
                    out[k] = java.util.Arrays.copyOfRange(m, k * dirs.length, (k + 1) * dirs.length);
                }
                return out;
            }
        });
    }

    /** Every slice and direction in one launch. */
    @Override
    public SparseCounts[][] runLengthSlices(LevelGrid grid, int[][] dirs, int[] slices) {
        int ng = grid.ng(), maxRun = Math.max(grid.nx(), grid.ny());
        long cells = (long) ng * maxRun;
        if (!batchable(grid, dirs, slices, (long) dirs.length * cells)) {
            return ComputeBackend.super.runLengthSlices(grid, dirs, slices);
        }
        return onDevice("runLengths", () -> cpu().runLengthSlices(grid, dirs, slices), c -> {
            try (DeviceBuffer offs = uploaded(c, MemorySegment.ofArray(offsets(slab(c, grid, 0, grid.nz()), dirs)))) {
                long[][] m = sliceCounts(c, grid, slices, dirs.length, cells,
                        (h, slots, b) -> kernels.glrlmSlices(slabLevels, h.px(), h.py(), h.pz(), offs, dirs.length, slots, slices.length, ng, maxRun, b));
                SparseCounts[][] out = new SparseCounts[slices.length][dirs.length];
                for (int k = 0; k < slices.length; k++) {
                    long voxels = grid.count(slices[k], slices[k] + 1);
                    for (int d = 0; d < dirs.length; d++) {
                        out[k][d] = SparseCounts.ofDense(m[k * dirs.length + d], ng, maxRun, voxels);
                    }
                }
                return out;
            }
        });
    }

    /** Every slice's NGTDM counts in one launch. */
    @Override
    public long[][] toneDifferenceCountSlices(LevelGrid grid, int[] slices) {
        int ng = grid.ng();
        long cells = (long) ng * Kernels.TONE_COLUMNS;
        if (!batchable(grid, TextureMatrices.DIRECTIONS_2D, slices, cells)) {
            return ComputeBackend.super.toneDifferenceCountSlices(grid, slices);
        }
        return onDevice("toneDifferenceCounts", () -> cpu().toneDifferenceCountSlices(grid, slices),
                c -> sliceCounts(c, grid, slices, 1, cells, (h, slots, m) -> kernels.ngtdmSlices(slabLevels, h.px(), h.py(), h.pz(), slots, slices.length, ng, m)));
    }

    /** Every slice's NGLDM counts in one launch. */
    @Override
    public SparseCounts[] dependenceSlices(LevelGrid grid, int[] slices, int alpha) {
        int ng = grid.ng(), cols = 9;
        long cells = (long) ng * cols;
        if (alpha < 0 || !batchable(grid, TextureMatrices.DIRECTIONS_2D, slices, cells)) {
            return ComputeBackend.super.dependenceSlices(grid, slices, alpha);
        }
        return onDevice("dependence", () -> cpu().dependenceSlices(grid, slices, alpha), c -> {
            long[][] m = sliceCounts(c, grid, slices, 1, cells,
                    (h, slots, b) -> kernels.ngldmSlices(slabLevels, h.px(), h.py(), h.pz(), alpha, slots, slices.length, ng, b));
            SparseCounts[] out = new SparseCounts[slices.length];
            for (int k = 0; k < slices.length; k++) {
                out[k] = SparseCounts.ofDense(m[k], ng, cols, grid.count(slices[k], slices[k] + 1));
            }
            return out;
        });
    }

    /** In-plane directions, distinct valid slices, and {@code cellsPerSlice} uint64 a slice within the launch budget. */
    private static boolean batchable(LevelGrid grid, int[][] dirs, int[] slices, long cellsPerSlice) {
        if (dirs.length == 0 || slices.length == 0 || 8L * slices.length * cellsPerSlice > SLICE_MATRIX_BYTES) {
            return false;
        }
        for (int[] d : dirs) {
            if (d[2] != 0) {
                return false;
            }
        }
        boolean[] seen = new boolean[grid.nz()];
        for (int z : slices) {
            if (z < 0 || z >= grid.nz() || seen[z]) {
                return false;
            }
            seen[z] = true;
        }
        return true;
    }

    /** Output slot of each padded slice of the whole-grid slab: slice z of the grid is padded slice z + 1. */
    private static int[] slotOf(int pz, int[] slices) {
        int[] slot = new int[pz];
        java.util.Arrays.fill(slot, -1);
        for (int k = 0; k < slices.length; k++) {
            slot[slices[k] + 1] = k;
        }
        return slot;
    }

    private static int[] offsets(TextureMatrices.Slab h, int[][] dirs) {
        int[] o = new int[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            o[i] = h.offset(dirs[i]);
        }
        return o;
    }

    @Override
    public SparseCounts runLengths(LevelGrid grid, int[] d, int z0, int z1) {
        slices(grid, z0, z1);
        int ng = grid.ng(), maxRun = TextureMatrices.maxRun(grid, z0, z1);
        return onDevice("runLengths", () -> cpu().runLengths(grid, d, z0, z1), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            long[] m = counts(c, (long) ng * maxRun, b -> kernels.glrlm(slabLevels, h.px(), h.py(), h.pz(), h.offset(d), ng, maxRun, b));
            return SparseCounts.ofDense(m, ng, maxRun, h.voxels());
        });
    }

    @Override
    public long[] toneDifferenceCounts(LevelGrid grid, int z0, int z1, boolean threeD) {
        slices(grid, z0, z1);
        int ng = grid.ng();
        return onDevice("toneDifferenceCounts", () -> cpu().toneDifferenceCounts(grid, z0, z1, threeD), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            return counts(c, (long) ng * Kernels.TONE_COLUMNS, m -> kernels.ngtdm(slabLevels, h.px(), h.py(), h.pz(), threeD, ng, m));
        });
    }

    @Override
    public SparseCounts dependence(LevelGrid grid, int z0, int z1, boolean threeD, int alpha) {
        slices(grid, z0, z1);
        int ng = grid.ng(), cols = (threeD ? 26 : 8) + 1;
        return onDevice("dependence", () -> cpu().dependence(grid, z0, z1, threeD, alpha), c -> {
            TextureMatrices.Slab h = slab(c, grid, z0, z1);
            long[] m = counts(c, (long) ng * cols, b -> kernels.ngldm(slabLevels, h.px(), h.py(), h.pz(), threeD, alpha, ng, b));
            return SparseCounts.ofDense(m, ng, cols, h.voxels());
        });
    }

    @Override
    public SparseCounts sizeZones(LevelGrid grid, int z0, int z1, boolean threeD) {
        slices(grid, z0, z1);
        return onDevice("sizeZones", () -> cpu().sizeZones(grid, z0, z1, threeD), c -> zoneCounts(c, grid, z0, z1, threeD, false));
    }

    @Override
    public SparseCounts distanceZones(LevelGrid grid, int z0, int z1, boolean threeD) {
        slices(grid, z0, z1);
        return onDevice("distanceZones", () -> cpu().distanceZones(grid, z0, z1, threeD), c -> zoneCounts(c, grid, z0, z1, threeD, true));
    }

    /**
     * Zones labelled on the device — once per slab and connectivity: GLSZM and GLDZM share the labels — and one
     * key per zone (level, size or edge distance) comes back.
     */
    private SparseCounts zoneCounts(CudaContext c, LevelGrid grid, int z0, int z1, boolean threeD, boolean distance) {
        TextureMatrices.Slab h = slab(c, grid, z0, z1);
        long n = (long) h.px() * h.py() * h.pz();
        try (DeviceBuffer value = c.allocate(4 * n); DeviceBuffer count = c.allocate(8); DeviceBuffer keys = c.allocate(8 * n)) {
            c.fill8(count, 0, count.byteSize(), (byte) 0);
            zoneValues(c, h, n, threeD, distance, value);
            kernels.zoneKeys(slabLevels, n, slabZones, value, count, keys);
            long[] out = zoneKeys(c, count, keys);
            return SparseCounts.ofKeys(out, out.length, h.voxels());
        }
    }

    /** The zone keys a key kernel wrote: {@code count} says how many. */
    private long[] zoneKeys(CudaContext c, DeviceBuffer count, DeviceBuffer keys) {
        int[] k = new int[1];
        download(c, count, MemorySegment.ofArray(k));
        long[] out = new long[k[0]];
        if (k[0] > 0) {
            download(c, keys, MemorySegment.ofArray(out));
        }
        return out;
    }

    /**
     * Each zone's size (or edge distance) at its root in {@code value}: the slab's zones labelled once per
     * connectivity (GLSZM and GLDZM share them), the distances relaxed to their fixed point.
     */
    private void zoneValues(CudaContext c, TextureMatrices.Slab h, long n, boolean threeD, boolean distance, DeviceBuffer value) {
        int connectivity = threeD ? 1 : 0;
        if (slabZones == null) {
            slabZones = c.allocate(4 * n);
        }
        DeviceBuffer labels = slabZones;
        c.fill8(value, 0, value.byteSize(), (byte) 0);
        if (slabZonesThreeD == connectivity) {
            kernels.zoneSizes(n, labels, value); // labelled before: only the sizes
        } else {
            slabZonesThreeD = -1;
            kernels.zones(slabLevels, h.px(), h.py(), h.pz(), threeD, labels, value);
            slabZonesThreeD = connectivity;
        }
        if (distance) {
            try (DeviceBuffer dist = c.allocate(4 * n); DeviceBuffer changed = c.allocate(8)) {
                kernels.edgeInit(slabMorph, h.px(), h.py(), h.pz(), threeD, dist);
                int[] flag = new int[1];
                do {
                    c.fill8(changed, 0, 4, (byte) 0);
                    kernels.edgeRelax(slabMorph, h.px(), h.py(), h.pz(), threeD, dist, changed);
                    download(c, changed, MemorySegment.ofArray(flag));
                } while (flag[0] != 0);
                c.fill8(value, 0, value.byteSize(), (byte) 0x7F); // every zone's distance starts "infinite"
                kernels.zoneDistance(n, labels, dist, value);
            }
        }
    }

    @Override
    public SparseCounts[] sizeZoneSlices(LevelGrid grid, int[] slices) {
        if (!zoneSlicesBatchable(grid, slices)) {
            return ComputeBackend.super.sizeZoneSlices(grid, slices);
        }
        return onDevice("sizeZones", () -> cpu().sizeZoneSlices(grid, slices), c -> zoneSliceCounts(c, grid, slices, false));
    }

    @Override
    public SparseCounts[] distanceZoneSlices(LevelGrid grid, int[] slices) {
        if (!zoneSlicesBatchable(grid, slices)) {
            return ComputeBackend.super.distanceZoneSlices(grid, slices);
        }
        return onDevice("distanceZones", () -> cpu().distanceZoneSlices(grid, slices), c -> zoneSliceCounts(c, grid, slices, true));
    }

    /** Keys hold the slot in 15 bits and the level in 16. */
    private static boolean zoneSlicesBatchable(LevelGrid grid, int[] slices) {
        return grid.ng() < 1 << 16 && slices.length < 1 << 15 && batchable(grid, TextureMatrices.DIRECTIONS_2D, slices, 1);
    }

    /** Every slice's zones at once: in-slice labelling of the whole grid's slab, one key per zone tagged with its slice. */
    private SparseCounts[] zoneSliceCounts(CudaContext c, LevelGrid grid, int[] slices, boolean distance) {
        TextureMatrices.Slab h = slab(c, grid, 0, grid.nz());
        long n = (long) h.px() * h.py() * h.pz();
        try (DeviceBuffer value = c.allocate(4 * n); DeviceBuffer count = c.allocate(8); DeviceBuffer keys = c.allocate(8 * n);
             DeviceBuffer slots = uploaded(c, MemorySegment.ofArray(slotOf(h.pz(), slices)))) {
            c.fill8(count, 0, count.byteSize(), (byte) 0);
            zoneValues(c, h, n, false, distance, value);
            kernels.zoneKeysSlices(slabLevels, h.px(), h.py(), h.pz(), slabZones, value, slots, slices.length, count, keys);
            long[] all = zoneKeys(c, count, keys);
            int[] per = new int[slices.length];
            for (long key : all) {
                per[(int) (key >>> 48)]++;
            }
            long[][] bySlot = new long[slices.length][];
            for (int s = 0; s < slices.length; s++) {
                bySlot[s] = new long[per[s]];
            }
            int[] at = new int[slices.length];
            for (long key : all) {
                int s = (int) (key >>> 48);
                bySlot[s][at[s]++] = key & 0xFFFF_FFFF_FFFFL;
            }
            SparseCounts[] out = new SparseCounts[slices.length];
            for (int s = 0; s < slices.length; s++) {
                out[s] = SparseCounts.ofKeys(bySlot[s], bySlot[s].length, grid.count(slices[s], slices[s] + 1));
            }
            return out;
        }
    }

    private static void sameGrid(Volume image, Mask mask) {
        if (!image.geometry().sameGrid(mask.geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.extent() + " and mask " + mask.geometry().extent() + " are not on the same grid");
        }
    }

    /**
     * Runs {@code work} on the device; on out-of-memory empties the cache and tries once more, then runs
     * {@code onCpu}; after a sticky error (now or before) runs {@code onCpu}. Input errors propagate.
     */
    private <T> T onDevice(String op, Supplier<T> onCpu, DeviceWork<T> work) {
        if (!device.usable()) {
            metrics.unusable();
        }
        String why = "the device is unusable after an earlier error";
        for (int attempt = 0; device.usable(); attempt++) {
            try {
                double[] ms = new double[1];
                T r = join(device.submit(c -> {
                    try (CudaEvent start = c.record()) {
                        T out = work.run(c);
                        try (CudaEvent end = c.record()) {
                            ms[0] = end.elapsedMillisSince(start);
                        }
                        return out;
                    }
                }));
                metrics.deviceOp();
                BackendEvents.deviceTime(op, ms[0]);
                return r;
            } catch (CudaException e) {
                if (e.error() == CudaError.OUT_OF_MEMORY && attempt == 0) {
                    LOG.info("CUDA device out of memory; emptying the volume cache and trying again");
                    join(device.submit(c -> {
                        cache.evictAll();
                        return null;
                    }));
                    continue;
                }
                if (e.error() == CudaError.OUT_OF_MEMORY) {
                    metrics.outOfMemory();
                    why = "the device ran out of memory";
                    LOG.warn("CUDA device out of memory after emptying the cache; this request runs on the CPU");
                } else if (!device.usable()) {
                    metrics.unusable();
                    why = "the device became unusable (" + e.error() + ")";
                    LOG.error("CUDA device unusable ({}); this and later requests run on the CPU", e.getMessage());
                } else {
                    why = "the device operation failed (" + e.error() + ")";
                    LOG.warn("CUDA operation failed ({}); this request runs on the CPU", e.getMessage());
                }
                break;
            }
        }
        metrics.cpuFallback();
        BackendEvents.cpuInstead(op, why);
        return onCpu.get();
    }

    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A device copy of a volume (float32, or a label map's bytes): the cache's (not freed here) or a temporary one. */
    private record Upload(DeviceBuffer buffer, boolean temporary) implements AutoCloseable {
        @Override
        public void close() {
            if (temporary) {
                buffer.close();
            }
        }
    }

    private Upload floats(CudaContext c, Volume v) {
        var cached = cache.lookup(v, DeviceVolumeCache.Form.FLOAT32);
        if (cached.isPresent()) {
            return new Upload(cached.get(), false);
        }
        long n = v.voxelCount();
        if (cache.isKept(v)) {
            cache.makeRoom(4 * n);
        }
        DeviceBuffer f;
        if (v.type() == VoxelType.FLOAT32) {
            f = uploaded(c, v.segment());
        } else {
            f = c.allocate(4 * n);
            try (DeviceBuffer raw = uploaded(c, v.segment())) {
                kernels.toFloat32(sourceType(v.type()), raw, f, n);
            } catch (RuntimeException | Error e) {
                f.close();
                throw e;
            }
        }
        return new Upload(f, !cache.admit(v, DeviceVolumeCache.Form.FLOAT32, f));
    }

    /** The label map of {@code mask} on the device, as its bytes: the kept copy (uploaded on first use), or a temporary one. */
    private Upload labels(CudaContext c, Mask mask) {
        Volume v = mask.asVolume();
        var cached = cache.lookup(v, DeviceVolumeCache.Form.LABELS);
        if (cached.isPresent()) {
            return new Upload(cached.get(), false);
        }
        if (cache.isKept(v)) {
            cache.makeRoom(v.voxelCount());
        }
        DeviceBuffer b = uploaded(c, v.segment());
        return new Upload(b, !cache.admit(v, DeviceVolumeCache.Form.LABELS, b));
    }

    /**
     * One byte per voxel of {@code box} ({@code padded}: grown by one voxel on every side, the mesh's occupancy),
     * 1 in {@code label}: cut on the device from a kept mask, else built here (only the box crosses the bus). The
     * box holds every voxel of the label, so the ring around it is 0 either way.
     */
    private DeviceBuffer labelBox(CudaContext c, Mask mask, int label, IndexBox box, boolean padded) {
        if (!cache.isKept(mask.asVolume())) {
            return uploaded(c, MemorySegment.ofArray(mask.indicator(label, box, padded ? 1 : 0)));
        }
        int pad = padded ? 1 : 0;
        Extent e = mask.geometry().extent(), be = box.extent();
        int nx = be.nx() + 2 * pad, ny = be.ny() + 2 * pad, nz = be.nz() + 2 * pad;
        DeviceBuffer out = output(c, (long) nx * ny * nz);
        try (Upload m = labels(c, mask)) {
            kernels.labelBox(m.buffer(), e.nx(), e.ny(), e.nz(), label, box.x0() - pad, box.y0() - pad, box.z0() - pad, nx, ny, nz, out);
            return out;
        } catch (RuntimeException | Error x) {
            out.close();
            throw x;
        }
    }

    private static Kernels.SourceType sourceType(VoxelType t) {
        return switch (t) {
            case UINT8 -> Kernels.SourceType.U8;
            case INT16 -> Kernels.SourceType.I16;
            case UINT16 -> Kernels.SourceType.U16;
            case INT32 -> Kernels.SourceType.I32;
            case FLOAT64 -> Kernels.SourceType.F64;
            case FLOAT32 -> throw new IllegalArgumentException("float32 needs no conversion");
        };
    }

    /** A 0/1 device mask of the voxels of {@code label} (the range kernel with no bounds). */
    private DeviceBuffer labelMask(CudaContext c, Upload image, Mask mask, int label, long n) {
        DeviceBuffer out = output(c, n);
        try (Upload labels = labels(c, mask)) {
            kernels.rangeMask(image.buffer(), labels.buffer(), label, n, Double.NaN, Double.NaN, out);
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    /** A device buffer for a kernel's output, poisoned first when asked. */
    private DeviceBuffer output(CudaContext c, long bytes) {
        DeviceBuffer b = c.allocate(bytes);
        if (poison) {
            c.fill8(b, 0, bytes, (byte) 0xFF);
        }
        return b;
    }

    /** A new device buffer holding {@code host}'s bytes. */
    private DeviceBuffer uploaded(CudaContext c, MemorySegment host) {
        DeviceBuffer b = c.allocate(host.byteSize());
        try {
            upload(c, host, b);
            return b;
        } catch (RuntimeException | Error e) {
            b.close();
            throw e;
        }
    }

    /**
     * Copies {@code host} into {@code dst}: straight from it when it lies in memory {@link #pin}ned here (the
     * copy is queued; the operation's end waits for it), else through the pinned staging buffer's two halves in
     * turn, so the host's copy of one chunk into a half overlaps the bus transfer of the other.
     */
    private void upload(CudaContext c, MemorySegment host, DeviceBuffer dst) {
        if (pinned(host)) {
            c.copyToDevice(host, dst, 0);
            metrics.uploaded(host.byteSize());
            return;
        }
        MemorySegment stage = staging.segment();
        long half = STAGING_BYTES / 2;
        CudaEvent[] free = new CudaEvent[2]; // when each half's last transfer is done
        try {
            for (long at = 0, k = 0; at < host.byteSize(); at += half, k++) {
                int h = (int) (k & 1);
                long len = Math.min(half, host.byteSize() - at);
                if (free[h] != null) {
                    free[h].synchronize();
                    free[h].close();
                    free[h] = null;
                }
                MemorySegment buf = stage.asSlice(h * half, len);
                MemorySegment.copy(host, at, buf, 0, len);
                c.copyToDevice(buf, dst, at);
                free[h] = c.record();
            }
            c.synchronize(); // the staging buffer is free for the next copy
        } finally {
            for (CudaEvent e : free) {
                if (e != null) {
                    e.close();
                }
            }
        }
        metrics.uploaded(host.byteSize());
    }

    /**
     * Copies {@code src}'s first {@code host.byteSize()} bytes into {@code host}: straight into it when it is
     * {@link #pin}ned here, else through the staging buffer's halves in turn, the bus transfer of one chunk
     * overlapping the host's copy of the one before.
     */
    private void download(CudaContext c, DeviceBuffer src, MemorySegment host) {
        if (pinned(host)) {
            c.copyToHost(src, 0, host);
            c.synchronize();
            metrics.downloaded(host.byteSize());
            return;
        }
        MemorySegment stage = staging.segment();
        long half = STAGING_BYTES / 2;
        CudaEvent[] done = new CudaEvent[2]; // when each half's transfer has landed
        long[] from = new long[2];
        try {
            long chunks = (host.byteSize() + half - 1) / half;
            for (long k = 0; k <= chunks; k++) {
                if (k < chunks) { // queue chunk k into its half
                    int h = (int) (k & 1);
                    long at = k * half;
                    c.copyToHost(src, at, stage.asSlice(h * half, Math.min(half, host.byteSize() - at)));
                    done[h] = c.record();
                    from[h] = at;
                }
                if (k > 0) { // meanwhile, copy out chunk k - 1
                    int h = (int) ((k - 1) & 1);
                    long len = Math.min(half, host.byteSize() - from[h]);
                    done[h].synchronize();
                    done[h].close();
                    done[h] = null;
                    MemorySegment.copy(stage, h * half, host, from[h], len);
                }
            }
        } finally {
            for (CudaEvent e : done) {
                if (e != null) {
                    e.close();
                }
            }
        }
        metrics.downloaded(host.byteSize());
    }

    /** Host memory page-locked by {@link #pin}: where its pages end, and their registration. */
    private record Pinned(long end, HostRegistration registration) {
    }

    /** Pinned ranges by the address where they start (any thread reads it; the owner thread changes it). */
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Pinned> pins = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Whether {@code host} lies wholly in memory pinned here. */
    private boolean pinned(MemorySegment host) {
        if (!host.isNative() || pins.isEmpty()) {
            return false;
        }
        var e = pins.floorEntry(host.address());
        return e != null && host.address() + host.byteSize() <= e.getValue().end();
    }

    /**
     * Page-locks {@code volume}'s memory (its {@link Volume#pages()}), so copies of it to and from the device run
     * straight from it at full bus speed instead of through the staging buffer: for a volume whose upload latency
     * counts (the server's uploads, a benchmark's "upload from pinned memory"). Locking costs about as much as one
     * staged copy of the volume; it lasts until {@link #unpin} or until the volume closes. True if the volume is
     * pinned now; false for a volume under 64 KiB (no pages of its own) or when the device refuses (its copies then
     * go through the staging buffer as before).
     */
    public boolean pin(Volume volume) {
        var pages = volume.pages();
        if (pages.isEmpty() || !device.usable()) {
            return false;
        }
        MemorySegment m = pages.get();
        if (pins.containsKey(m.address())) {
            return true;
        }
        try {
            join(device.submit(c -> {
                if (!pins.containsKey(m.address())) {
                    pins.put(m.address(), new Pinned(m.address() + m.byteSize(), c.register(m)));
                }
                return null;
            }));
        } catch (CudaException e) {
            LOG.warn("CUDA could not page-lock {} ({}); its copies go through the staging buffer", volume, e.getMessage());
            return false;
        }
        volume.onClose(() -> unpin(volume));
        return true;
    }

    /** Host bytes page-locked by {@link #pin} now (whole pages of the pinned volumes). */
    public long pinnedBytes() {
        long n = 0;
        for (var p : pins.entrySet()) {
            n += p.getValue().end() - p.getKey();
        }
        return n;
    }

    /** Ends {@link #pin}: the volume's memory is no longer page-locked (it stays the volume's). Idempotent. */
    public void unpin(Volume volume) {
        var pages = volume.pages();
        if (pages.isEmpty()) {
            return;
        }
        Pinned p = pins.remove(pages.get().address());
        if (p != null) {
            p.registration().close(); // on the owner thread; nothing to do once the device has closed (closing it unlocked everything)
        }
    }

    /** Frees the cache, the kernels and the staging buffer, and closes the device. Idempotent. */
    @Override
    public void close() {
        if (device.usable()) {
            try {
                join(device.submit(c -> {
                    deferred.clear();
                    cache.evictAll();
                    freeSlab();
                    kernels.close();
                    staging.close();
                    return null;
                }));
            } catch (RuntimeException e) {
                LOG.warn("freeing the CUDA backend's device memory: {}", e.getMessage());
            }
        }
        device.close();
        pins.clear(); // closing the device unlocked them
    }
}
