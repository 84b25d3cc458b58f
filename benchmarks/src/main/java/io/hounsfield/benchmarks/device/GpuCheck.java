package io.hounsfield.benchmarks.device;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.Binning;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.CudaBackend;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.core.backend.Resampling;
import io.hounsfield.cuda.CudaContext;
import io.hounsfield.cuda.CudaDevice;
import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.CudaEvent;
import io.hounsfield.cuda.CudaStatus;
import io.hounsfield.cuda.DeviceBuffer;
import io.hounsfield.cuda.PinnedBuffer;
import io.hounsfield.kernels.KernelImage;
import io.hounsfield.kernels.Kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.radiomics.features.Discretisation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The GPU benchmarks of the device harness ({@code benchmarks/device/run.sh}): bus bandwidth from pinned
 * memory, a device-to-device copy as the bandwidth ceiling, each kernel's time (CUDA events, median of
 * repeats) and achieved bandwidth against that ceiling, and each backend operation end to end (transfers
 * included) against the CPU backend on all cores. Prints a compact table last.
 *
 * <p>Usage: {@code GpuCheck [nx ny nz]} (default 512 512 256, int16, a CT-like volume). Each section runs on its
 * own: one that fails is reported (a {@code FAILED} row, its stack trace) and the next still runs. Exit status 0
 * when every section ran and every radiomics run's values equal the CPU backend's, 1 otherwise, 2 without a
 * device or kernels.
 */
public final class GpuCheck {

    private static final int REPEATS = 10;

    private GpuCheck() {
    }

    record Row(String what, String size, double gpuMs, double gbPerS, double ofCeiling, double cpuMs, String note) {
    }

    /**
     * What to run where: the driver library, the synthetic volume of the kernel and backend rows, and the radiomics
     * volumes ({@link io.hounsfield.benchmarks.BenchmarkVolume} with {@code inPlane} × {@code inPlane} voxels, the
     * anatomy scaled alike, on {@code slices} slices, and {@code requestSlices} for the end-to-end request).
     * Wall times are the median of {@code repeats} runs after a warm-up; {@code poison}: the backend fills its outputs
     * with garbage before the kernels write them.
     */
    record Plan(String library, int nx, int ny, int nz, int inPlane, int slices, int requestSlices, int repeats, boolean poison) {

        /** The harness's sizes on the installed driver; the kernel volume's from {@code args} if given. */
        static Plan standard(String[] args) {
            return new Plan(io.hounsfield.cuda.CudaDriver.library(), args.length > 0 ? Integer.parseInt(args[0]) : 512,
                    args.length > 1 ? Integer.parseInt(args[1]) : 512, args.length > 2 ? Integer.parseInt(args[2]) : 256, 512, 128, 300, 5, false);
        }

        io.hounsfield.benchmarks.BenchmarkVolume volume(int nz) {
            return io.hounsfield.benchmarks.BenchmarkVolume.make(inPlane, nz);
        }

        String volumeSize(int nz) {
            return inPlane + "x" + inPlane + "x" + nz;
        }

        CudaBackend open(CpuBackend cpu) {
            return CudaBackend.open(library, 0, cpu, CudaBackend.DEFAULT_BUDGET_FRACTION, poison);
        }
    }

    public static void main(String[] args) {
        System.exit(run(Plan.standard(args), System.out));
    }

    @FunctionalInterface
    private interface Section {
        void run() throws Exception;
    }

    /** Runs every section of {@code plan}, printing progress and the table to {@code out}; the exit status (see above). */
    static int run(Plan plan, java.io.PrintStream out) {
        CudaStatus st = io.hounsfield.cuda.CudaDriver.probe(plan.library());
        out.println("CUDA: " + st.reason());
        out.println("Kernels: " + KernelImage.status());
        if (!st.available() || !KernelImage.isBuilt()) {
            out.println("GpuCheck needs a CUDA device and the kernel fatbin.");
            return 2;
        }
        int nx = plan.nx(), ny = plan.ny(), nz = plan.nz();
        long n = (long) nx * ny * nz;
        String size = nx + "x" + ny + "x" + nz;
        List<Row> rows = new ArrayList<>();
        double[] ceiling = {Double.NaN};
        List<String> failed = new ArrayList<>();
        java.util.function.BiConsumer<String, Section> section = (name, work) -> {
            out.println("== " + name);
            try {
                work.run();
            } catch (Exception | Error e) {
                failed.add(name);
                rows.add(new Row("FAILED: " + name, "", Double.NaN, Double.NaN, Double.NaN, Double.NaN, String.valueOf(e)));
                e.printStackTrace(out);
            }
        };
        section.accept("kernels", () -> {
            try (CudaDevice dev = io.hounsfield.cuda.CudaDriver.open(plan.library(), 0)) {
                out.println("Device: " + dev.info().name() + ", sm_" + dev.info().computeMajor() + dev.info().computeMinor() + ", "
                        + dev.info().totalMemoryBytes() / (1 << 20) + " MiB; driver " + st.driverVersionString());
                ceiling[0] = dev.submit(c -> kernelRows(c, nx, ny, nz, n, size, rows)).join();
            }
        });
        section.accept("backend operations", () -> endToEnd(plan, size, rows, out));
        section.accept("radiomics", () -> failed.addAll(radiomics(plan, rows, out)));
        section.accept("request end to end", () -> failed.addAll(requestEndToEnd(plan, rows, out)));

        out.println();
        out.printf(Locale.ROOT, "%-34s %-14s %10s %9s %9s %10s  %s%n", "operation", "size", "GPU ms", "GB/s", "% D2D", "CPU ms", "note");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-34s %-14s %10.3f %9s %9s %10s  %s%n", r.what(), r.size(), r.gpuMs(),
                    Double.isNaN(r.gbPerS()) ? "-" : String.format(Locale.ROOT, "%.1f", r.gbPerS()),
                    Double.isNaN(r.ofCeiling()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.ofCeiling()),
                    Double.isNaN(r.cpuMs()) ? "-" : String.format(Locale.ROOT, "%.1f", r.cpuMs()), r.note());
        }
        if (!failed.isEmpty()) {
            out.println("FAILED: " + String.join("; ", failed));
        }
        return failed.isEmpty() ? 0 : 1;
    }

    @FunctionalInterface
    private interface Launch {
        void run();
    }

    /** Median milliseconds of {@code REPEATS} runs, timed with events on the stream (after one warm-up run). */
    private static double time(CudaContext c, Launch l) {
        l.run();
        c.synchronize();
        double[] ms = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            try (CudaEvent a = c.record()) {
                l.run();
                try (CudaEvent b = c.record()) {
                    ms[i] = b.elapsedMillisSince(a);
                }
            }
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }

    private static double kernelRows(CudaContext c, int nx, int ny, int nz, long n, String size, List<Row> rows) {
        try (Kernels k = Kernels.load(c); PinnedBuffer host = c.allocatePinned(4 * n);
             DeviceBuffer f32 = c.allocate(4 * n); DeviceBuffer f32b = c.allocate(4 * n); DeviceBuffer i16 = c.allocate(2 * n);
             DeviceBuffer m8 = c.allocate(n); DeviceBuffer m8b = c.allocate(n); DeviceBuffer levels = c.allocate(4 * n);
             DeviceBuffer partials = c.allocate(8L * 5 * Kernels.REDUCE_BLOCKS); DeviceBuffer out5 = c.allocate(40);
             DeviceBuffer hist = c.allocate(8L * 4096); DeviceBuffer map = c.allocate(96); DeviceBuffer box6 = c.allocate(24);
             DeviceBuffer moments = c.allocate(8L * Kernels.MOMENTS); DeviceBuffer rowSums = c.allocate(5L * 8 * ny * nz)) {
            MemorySegment h = host.segment();
            SplittableRandom r = new SplittableRandom(1);
            for (long i = 0; i < n; i++) {
                h.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (r.nextInt(-1024, 1500)));
            }
            MemorySegment labels = h.asSlice(2 * n, n);
            for (long i = 0; i < n; i++) {
                labels.set(ValueLayout.JAVA_BYTE, i, (byte) (r.nextInt(3) == 0 ? 1 : 0));
            }
            c.copyToDevice(labels, m8, 0);
            double up = time(c, () -> c.copyToDevice(h, f32b, 0));
            rows.add(new Row("upload host→device (pinned)", mib(4 * n), up, gbs(4 * n, up), Double.NaN, Double.NaN, "PCIe/NVLink-C2C"));
            double down = time(c, () -> c.copyToHost(f32b, 0, h));
            rows.add(new Row("download device→host (pinned)", mib(4 * n), down, gbs(4 * n, down), Double.NaN, Double.NaN, ""));
            // The host buffer now holds float garbage in its int16 half: refill it for the conversion.
            for (long i = 0; i < n; i++) {
                h.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) (r.nextInt(-1024, 1500)));
            }
            c.copyToDevice(h.asSlice(0, 2 * n), i16, 0);
            double d2d = time(c, () -> c.copy(f32, 0, f32b, 0, 4 * n));
            double ceiling = gbs(2 * 4 * n, d2d);
            rows.add(new Row("copy device→device (ceiling)", mib(4 * n), d2d, ceiling, 1, Double.NaN, "read + write"));

            kernel(rows, "convert int16→float32", size, time(c, () -> k.toFloat32(Kernels.SourceType.I16, i16, f32, n)), 6 * n, ceiling);
            kernel(rows, "range mask", size, time(c, () -> k.rangeMask(f32, m8, 1, n, -100, 300, m8b)), 6 * n, ceiling);
            kernel(rows, "discretise (fixed bin size)", size, time(c, () -> k.discretiseFixedBinSize(f32, m8b, n, -1024, 25, levels)), 9 * n, ceiling);
            kernel(rows, "masked moments (float64)", size, time(c, () -> k.maskedMoments(f32, m8, n, partials, out5)), 5 * n, ceiling);
            // A kept mask's bounding box: one read of its bytes (the whole grid's, one label in three voxels).
            kernel(rows, "label bounds (mask scan)", size, time(c, () -> {
                c.fill8(box6, 0, 12, (byte) 0x7F);
                c.fill8(box6, 12, 12, (byte) 0xFF);
                k.labelBounds(m8, nx, ny, nz, 1, box6);
            }), n, ceiling);
            kernel(rows, "index moments (u64 atomics)", size, time(c, () -> {
                c.fill8(moments, 0, moments.byteSize(), (byte) 0);
                k.indexMoments(m8, 0, 0, 0, nx, ny, nz, moments);
            }), n, ceiling);
            kernel(rows, "weighted row sums (thread per row)", size, time(c, () -> k.weightedRows(new Kernels.IntensityMask(f32, nx, ny, 0, 0, 0, nx, ny, nz,
                    m8, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), rowSums)), 5 * n + 40L * ny * nz, ceiling);
            kernel(rows, "histogram (4096 bins max)", size, time(c, () -> {
                c.fill8(hist, 0, hist.byteSize(), (byte) 0);
                k.histogram(levels, n, 128, hist);
            }), 4 * n, ceiling);
            int cx = nx / 2, cy = ny / 2, cz = nz / 2;
            long nc = (long) cx * cy * cz;
            kernel(rows, "crop (float32, half box)", cx + "x" + cy + "x" + cz,
                    time(c, () -> k.cropF32(f32, nx, ny, nz, nx / 4, ny / 4, nz / 4, f32b, cx, cy, cz)), 8 * nc, ceiling);
            Geometry src = Geometry.axisAligned(new Extent(nx, ny, nz), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO);
            Geometry dst = Resampling.centredGrid(src, new Vec3(1, 1, 1));
            Extent e = dst.extent();
            long nd = e.voxelCount();
            try (PinnedBuffer mh = c.allocatePinned(96)) {
                MemorySegment.copy(Resampling.indexMap(src, dst), 0, mh.segment(), ValueLayout.JAVA_DOUBLE, 0, 12);
                c.copyToDevice(mh.segment(), map, 0);
                c.synchronize();
            }
            try (DeviceBuffer resampled = c.allocate(4 * nd)) {
                for (boolean tri : new boolean[] {false, true}) {
                    double ms = time(c, () -> k.resampleF32(f32, nx, ny, nz, map, resampled, e.nx(), e.ny(), e.nz(), tri));
                    rows.add(new Row("resample " + (tri ? "trilinear" : "nearest") + " to 1 mm", e.nx() + "x" + e.ny() + "x" + e.nz(), ms,
                            Double.NaN, Double.NaN, Double.NaN, String.format(Locale.ROOT, "kernel only, %.2f Gvoxel/s", nd / ms / 1e6)));
                }
            }
            return ceiling;
        }
    }

    private static void kernel(List<Row> rows, String what, String size, double ms, long bytes, double ceiling) {
        double g = gbs(bytes, ms);
        rows.add(new Row(what, size, ms, g, g / ceiling, Double.NaN, "kernel only"));
    }

    /** Each CudaBackend operation end to end (upload, kernels, download) against the CPU backend on all cores. */
    private static void endToEnd(Plan plan, String size, List<Row> rows, java.io.PrintStream out) {
        int nx = plan.nx(), ny = plan.ny(), nz = plan.nz();
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        Geometry g = Geometry.axisAligned(new Extent(nx, ny, nz), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO);
        CpuBackend cpu = new CpuBackend(pool, 4 * cores);
        try (pool; Volume img = Volume.allocate(g, VoxelType.INT16); Mask m = Mask.allocate(g);
             CudaBackend cuda = plan.open(cpu)) {
            SplittableRandom r = new SplittableRandom(2);
            for (long i = 0; i < img.voxelCount(); i++) {
                img.set(i, r.nextInt(-1024, 1500));
                m.set(i, r.nextInt(3) == 0 ? 1 : 0);
            }
            Geometry iso = Resampling.centredGrid(g, new Vec3(1, 1, 1));
            Binning bin = Binning.fixedBinSize(-1024, 25);
            compare(plan, rows, "e2e moments", size, () -> cuda.moments(img, m, 1), () -> cpu.moments(img, m, 1), cores, x -> { });
            cuda.keep(m.asVolume(), "bench mask");
            compare(plan, rows, "e2e bounding box, mask kept", size, () -> cuda.boundingBox(m, 1), () -> cpu.boundingBox(m, 1), cores, x -> { });
            cuda.release(m.asVolume());
            compare(plan, rows, "e2e range mask", size, () -> cuda.rangeMask(img, m, 1, -100, 300), () -> cpu.rangeMask(img, m, 1, -100, 300), cores,
                    Mask::close);
            compare(plan, rows, "e2e discretise", size, () -> cuda.discretise(img, m, 1, bin), () -> cpu.discretise(img, m, 1, bin), cores, Volume::close);
            // A noise mask over the whole grid: the surface's worst case, every cube cut.
            io.hounsfield.core.IndexBox all = io.hounsfield.core.IndexBox.of(g.extent());
            compare(plan, rows, "e2e surface counts (noise mask)", size, () -> cuda.surfaceCounts(m, 1, all), () -> cpu.surfaceCounts(m, 1, all), cores,
                    x -> { });
            compare(plan, rows, "e2e value counts (noise mask)", size, () -> cuda.valueCounts(img, m, 1, all, -500, 1200),
                    () -> cpu.valueCounts(img, m, 1, all, -500, 1200), cores, x -> { });
            // Moran's I at its exact limit: 4000 voxels, 8 M pairs.
            double[] pos = new double[3 * 4000], vals = new double[4000];
            for (int i = 0; i < 4000; i++) {
                pos[3 * i] = (i % 20) * 0.8;
                pos[3 * i + 1] = (i / 20 % 20) * 0.8;
                pos[3 * i + 2] = (i / 400) * 2.5;
                vals[i] = img.get(i);
            }
            compare(plan, rows, "e2e inverse-distance sums", "4000 points", () -> cuda.inverseDistanceSums(pos, vals, 40),
                    () -> cpu.inverseDistanceSums(pos, vals, 40), cores, x -> { });
            compare(plan, rows, "e2e resample trilinear 1 mm", size, () -> cuda.resample(img, iso, Interpolation.TRILINEAR),
                    () -> cpu.resample(img, iso, Interpolation.TRILINEAR), cores, Volume::close);
            cuda.keep(img, "bench");
            compare(plan, rows, "e2e moments, image kept on device", size, () -> cuda.moments(img, m, 1), () -> cpu.moments(img, m, 1), cores, x -> { });
            out.println("CudaBackend metrics: " + cuda.metrics().snapshot());
        }
    }

    /**
     * IBSI features of the radiomics benchmark's volume (512×512×128 int16; lesion ~75 k voxels, organ ~2.1 M;
     * fixed bin size 25, every family, 3D) through the CUDA backend against the CPU backend on all cores: the
     * whole extraction one-shot (the request uploads image and mask), with them kept on the device (the server's case:
     * "after upload"), and resampled to 1 mm; each family's time and each device operation's summed device time
     * inside it (from the feature set's timings); and whether every value is bit-identical (the first
     * differences are printed).
     */
    private static List<String> radiomics(Plan plan, List<Row> rows, java.io.PrintStream out) {
        List<String> differing = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        CpuBackend cpu = new CpuBackend(pool, 4 * cores);
        try (pool; io.hounsfield.benchmarks.BenchmarkVolume v = plan.volume(plan.slices()); CudaBackend cuda = plan.open(cpu)) {
            for (String run : List.of("lesion", "organ", "lesion, kept", "organ, kept", "lesion, 1 mm", "lesion, 1 mm, kept")) {
                int label = run.startsWith("lesion") ? io.hounsfield.benchmarks.BenchmarkVolume.LESION : io.hounsfield.benchmarks.BenchmarkVolume.ORGAN;
                boolean kept = run.endsWith("kept"), iso = run.contains("1 mm");
                RadiomicsSettings s = allFamilies(label, iso);
                if (kept) { // as the server keeps an uploaded image and mask
                    cuda.keep(v.image(), "benchmark volume");
                    cuda.keep(v.mask().asVolume(), "benchmark mask");
                }
                FeatureExtractor onGpu = new FeatureExtractor(cuda), onCpu = new FeatureExtractor(cpu);
                FeatureSet[] last = new FeatureSet[2];
                double g = wall(plan.repeats(), () -> last[0] = onGpu.extract(v.image(), v.mask(), s), x -> { });
                double c = wall(plan.repeats(), () -> last[1] = onCpu.extract(v.image(), v.mask(), s), x -> { });
                if (kept) {
                    cuda.release(v.image());
                    cuda.release(v.mask().asVolume());
                }
                String same = sameValues(run, last[0], last[1], out);
                if (!same.equals(BIT_IDENTICAL)) {
                    differing.add("radiomics, " + run + ": values differ from the CPU's");
                }
                rows.add(new Row("features, all families, " + run, plan.volumeSize(plan.slices()), g, Double.NaN, Double.NaN, c,
                        String.format(Locale.ROOT, "CPU %d cores; GPU %.1f× faster; values %s", cores, c / g, same)));
                stageRows(rows, run, last[0], last[1].provenance().timingsMs(), k -> RadiomicsSettings.ALL_FAMILIES.contains(k) || k.startsWith("device: ")
                        || k.startsWith("resample") || k.equals("sample ROI") || k.equals("texture grid"), out);
            }
            out.println("CudaBackend metrics after radiomics: " + cuda.metrics().snapshot());
        }
        return differing;
    }

    /**
     * Issue 9's end-to-end case: a 512×512×300 int16 volume and its mask, one-shot (the request uploads both, keeps
     * them on the device for its duration, then frees them), every family on the lesion — the whole request, median
     * of the plan's repeats — from pageable memory (through the backend's staging buffer) and then from page-locked
     * memory ({@link CudaBackend#pin}, timed once: the "upload from pinned memory"), against the CPU backend
     * on all cores extracting the same features; the pinned run's stages follow.
     */
    private static List<String> requestEndToEnd(Plan plan, List<Row> rows, java.io.PrintStream out) {
        int cores = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(cores);
        CpuBackend cpu = new CpuBackend(pool, 4 * cores);
        try (pool; io.hounsfield.benchmarks.BenchmarkVolume v = plan.volume(plan.requestSlices()); CudaBackend cuda = plan.open(cpu)) {
            RadiomicsSettings s = allFamilies(io.hounsfield.benchmarks.BenchmarkVolume.LESION, false);
            FeatureExtractor onGpu = new FeatureExtractor(cuda), onCpu = new FeatureExtractor(cpu);
            String size = plan.volumeSize(plan.requestSlices());
            long bytes = v.image().voxelCount() * 3; // int16 image, uint8 mask
            FeatureSet[] last = new FeatureSet[2];
            double c = wall(plan.repeats(), () -> last[1] = onCpu.extract(v.image(), v.mask(), s), x -> { });
            List<String> differ = new ArrayList<>();
            for (boolean pinned : new boolean[] {false, true}) {
                if (pinned) {
                    long t0 = System.nanoTime();
                    boolean locked = cuda.pin(v.image()) & cuda.pin(v.mask().asVolume());
                    double ms = (System.nanoTime() - t0) / 1e6;
                    rows.add(new Row("page-lock image + mask (once)", size, ms, gbs(bytes, ms), Double.NaN, Double.NaN,
                            locked ? "cuMemHostRegister" : "REFUSED: the next run is staged too"));
                }
                double g = wall(plan.repeats(), () -> last[0] = onGpu.extract(v.image(), v.mask(), s), x -> { });
                String same = sameValues("request", last[0], last[1], out);
                if (!same.equals(BIT_IDENTICAL)) {
                    differ.add("request end to end" + (pinned ? ", pinned" : "") + ": values differ from the CPU's");
                }
                rows.add(new Row("request: upload " + (pinned ? "(pinned)" : "(pageable)") + " + all families, lesion", size, g, gbs(bytes, g),
                        Double.NaN, c, String.format(Locale.ROOT, "%sGB/s = volume bytes / request time; CPU %d cores; GPU %.1f× faster; values %s",
                        pinned ? "target <= 20 ms; " : "", cores, c / g, same)));
            }
            stageRows(rows, "request", last[0], last[1].provenance().timingsMs(), k -> true, out);
            return differ;
        }
    }

    private static final String BIT_IDENTICAL = "bit-identical";

    /** {@value #BIT_IDENTICAL} when the GPU run's features are the CPU run's, value for value; else what differs (the first ten printed). */
    private static String sameValues(String run, FeatureSet gpu, FeatureSet cpu, java.io.PrintStream out) {
        if (gpu.features().size() != cpu.features().size()) {
            return "DIFFER (" + gpu.features().size() + " features, CPU " + cpu.features().size() + ")";
        }
        int differ = 0;
        for (int i = 0; i < gpu.features().size(); i++) {
            FeatureValue a = gpu.features().get(i), b = cpu.features().get(i);
            if (!a.ibsiCode().equals(b.ibsiCode()) || !a.aggregation().equals(b.aggregation()) || Double.compare(a.value(), b.value()) != 0) {
                if (differ++ < 10) {
                    out.println("DIFFER (" + run + "): " + a.family() + " / " + a.name() + " [" + a.aggregation() + "]: GPU " + a.value()
                            + ", CPU " + b.family() + " / " + b.name() + " [" + b.aggregation() + "] " + b.value());
                }
            }
        }
        return differ == 0 ? BIT_IDENTICAL : "DIFFER (" + differ + ")";
    }

    /** Every family, bin width 25, 3D, on {@code label}; resampled to 1 mm (trilinear, rounded) when {@code iso}. */
    private static RadiomicsSettings allFamilies(int label, boolean iso) {
        return new RadiomicsSettings(label, iso ? new Vec3(1, 1, 1) : null, Interpolation.TRILINEAR, iso, Double.NaN, Double.NaN, false,
                Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES, List.of("3D"), "HU");
    }

    /** A row per stage of the GPU run {@code gpu} that {@code which} picks (with the CPU run's time where known); its notes printed. */
    private static void stageRows(List<Row> rows, String run, FeatureSet gpu, Map<String, Double> cpuTimings, java.util.function.Predicate<String> which,
                                  java.io.PrintStream out) {
        gpu.provenance().timingsMs().forEach((k, ms) -> {
            if (which.test(k)) {
                rows.add(new Row("  " + k, run, ms, Double.NaN, Double.NaN, cpuTimings.getOrDefault(k, Double.NaN),
                        k.startsWith("device: ") ? "device time (events), summed over the op's calls" : "last run's stage time"));
            }
        });
        gpu.provenance().notes().forEach(n -> out.println("note (" + run + "): " + n));
    }

    private static <T> void compare(Plan plan, List<Row> rows, String what, String size, Supplier<T> gpu, Supplier<T> cpu, int cores,
                                    java.util.function.Consumer<T> dispose) {
        double g = wall(plan.repeats(), gpu, dispose), c = wall(plan.repeats(), cpu, dispose);
        rows.add(new Row(what, size, g, Double.NaN, Double.NaN, c, String.format(Locale.ROOT, "CPU %d cores; GPU %.1f× faster", cores, c / g)));
    }

    /** Median wall milliseconds of {@code repeats} runs after one warm-up. */
    private static <T> double wall(int repeats, Supplier<T> s, java.util.function.Consumer<T> dispose) {
        dispose.accept(s.get());
        double[] ms = new double[repeats];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            T r = s.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
            dispose.accept(r);
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    private static double gbs(long bytes, double ms) {
        return bytes / ms / 1e6;
    }

    private static String mib(long bytes) {
        return bytes / (1 << 20) + " MiB";
    }
}
