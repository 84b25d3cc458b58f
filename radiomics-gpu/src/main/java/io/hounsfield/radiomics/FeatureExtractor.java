package io.hounsfield.radiomics;

import io.hounsfield.core.EngineVersion;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.IndexSplitter;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Tasks;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.BackendEvents;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.core.backend.Resampling;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.core.backend.ValueCounts;
import io.hounsfield.radiomics.features.Discretisation;
import io.hounsfield.radiomics.features.IntensityHistogram;
import io.hounsfield.radiomics.features.IntensityStatistics;
import io.hounsfield.radiomics.features.IntensityVolumeHistogram;
import io.hounsfield.radiomics.features.LocalIntensity;
import io.hounsfield.radiomics.features.Morphology;
import io.hounsfield.radiomics.features.Texture;
import io.hounsfield.core.texture.LevelGrid;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The radiomics façade: image + mask + settings → {@link FeatureSet}. Follows IBSI's order —
 * resampling, re-segmentation (the morphological mask keeps every ROI voxel, the intensity mask only
 * those in range), discretisation — then computes the chosen families. Heavy voxel work runs on the
 * given {@link ComputeBackend}; the formulas are the shared Java of {@code .features}. Thread-safe if
 * the backend is.
 */
public final class FeatureExtractor {

    /** Starts each family group on a virtual thread: they block only on the backend, never on each other. */
    private static final Executor FAMILY_THREADS = task -> Thread.ofVirtual().name("hounsfield-features").start(task);

    private final ComputeBackend backend;

    /** One family group's work, its own timings and notes (merged in group order afterwards). */
    private record Group(GroupWork work, Map<String, Double> timings, List<String> notes) {
        Group(GroupWork work) {
            this(work, new LinkedHashMap<>(), new ArrayList<>());
        }
    }

    @FunctionalInterface
    private interface GroupWork {
        List<FeatureValue> run(Map<String, Double> timings, List<String> notes);
    }

    private final Executor families;
    private final BooleanSupplier cancelled;
    /** Resample the whole new grid rather than the ROI's block (tests compare the two). */
    private final boolean wholeGrid;

    /** Family groups run concurrently, each on a virtual thread. */
    public FeatureExtractor(ComputeBackend backend) {
        this(backend, FAMILY_THREADS);
    }

    /**
     * @param families runs the family groups (morphology; local intensity; the intensity families) —
     *                 {@code Runnable::run} runs them one after another in the caller's thread
     */
    public FeatureExtractor(ComputeBackend backend, Executor families) {
        this(backend, families, () -> false, false);
    }

    private FeatureExtractor(ComputeBackend backend, Executor families, BooleanSupplier cancelled, boolean wholeGrid) {
        this.backend = backend;
        this.families = families;
        this.cancelled = cancelled;
        this.wholeGrid = wholeGrid;
    }

    /** This extractor, resampling the whole new grid instead of the ROI's block (slower; the same features). */
    FeatureExtractor resamplingWholeGrid() {
        return new FeatureExtractor(backend, families, cancelled, true);
    }

    /**
     * This extractor, checking {@code cancelled} before every stage (resampling, sampling, each family):
     * once it answers true, {@link #extract} ends with a {@link CancellationException} at the next stage
     * boundary — a stage already running (one backend operation) finishes first.
     */
    public FeatureExtractor cancelWhen(BooleanSupplier cancelled) {
        return new FeatureExtractor(backend, families, cancelled, wholeGrid);
    }

    /**
     * @throws IllegalArgumentException if image and mask differ in grid, the label is absent, or
     *                                  re-segmentation leaves no voxel
     */
    public FeatureSet extract(Volume image, Mask mask, RadiomicsSettings s) {
        // The backend reports device time per operation and any operation it ran on the CPU instead: both go
        // into the result (timings "device: <op>", notes).
        BackendEvents events = new BackendEvents();
        return ScopedValue.where(BackendEvents.CURRENT, events).call(() -> extract(image, mask, s, events));
    }

    private FeatureSet extract(Volume image, Mask mask, RadiomicsSettings s, BackendEvents events) {
        long start = System.nanoTime();
        if (!image.geometry().sameGrid(mask.geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.extent() + " and mask " + mask.geometry().extent() + " are not on the same grid");
        }
        // Image and mask are the request's from here to its end: a device backend uploads each once and works in
        // its copies (crop, resampling, every reduction and matrix), never sampling the ROI on the host. Keeps nest,
        // so volumes the caller keeps (a server's handles) stay on the device after the request.
        try (var held = backend.hold("request", image, mask.asVolume())) {
            return extract(image, mask, s, events, start);
        }
    }

    private FeatureSet extract(Volume image, Mask mask, RadiomicsSettings s, BackendEvents events, long start) {
        Map<String, Double> timings = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        IndexBox box = timed(timings, "bounding box", () -> backend.boundingBox(mask, s.label()))
                .orElseThrow(() -> new IllegalArgumentException("label " + s.label() + " is absent from the mask"));
        // The hash only goes into the provenance: it runs beside the rest (inline with a direct executor) and
        // is joined before returning or throwing, so nothing reads the inputs after extract ends.
        Map<String, Double> hashTiming = new LinkedHashMap<>();
        timings.put("input hash", Double.NaN); // keeps the stage's place in the timings
        CompletableFuture<String> hashing = CompletableFuture.supplyAsync(
                () -> timed(hashTiming, "input hash", () -> inputHash(image, mask, box, s.label())), families);

        Volume img = image;
        Mask msk = mask;
        boolean resampled = s.resampledSpacing() != null;
        try {
            if (resampled) {
                // Only the block of the new grid the ROI can reach (with room for its local-intensity spheres) is
                // resampled: the same voxels, bit for bit, as the whole grid would give.
                Geometry target = Resampling.centredGrid(image.geometry(), s.resampledSpacing());
                IndexBox block = wholeGrid ? IndexBox.of(target.extent()) : resampledBlock(image.geometry(), box, target);
                img = timed(timings, "resample image", () -> resampleImage(image, target, block, s));
                msk = timed(timings, "resample mask", () -> backend.resampleLabelKept(mask, s.label(), box, target, block,
                        "resampled mask of this request"));
            }
            Volume fimg = img;
            Mask fmsk = msk;
            IndexBox within = resampled ? IndexBox.of(fimg.extent()) : box;
            // The ROI's voxels on the host, taken only when something asks for them: a backend that works from
            // samples (the CPU), or a device falling back. A device holding image and mask reduces them itself.
            Map<String, Double> sampleTiming = new java.util.concurrent.ConcurrentHashMap<>();
            Lazy<RoiSample> morph = new Lazy<>(() -> timed(sampleTiming, "sample ROI", () -> backend.sample(fimg, fmsk, s.label(), within)));
            long[] moments = timed(timings, "index moments", () -> backend.indexMoments(fmsk, s.label(), within, morph));
            if (moments[0] == 0) {
                throw new IllegalArgumentException("label " + s.label() + " has no voxel after resampling");
            }
            // The intensity mask: the re-segmentation range (narrowed to mean ± 3 SD if asked) of the morphological
            // mask's values, as its distinct values and counts (which the first-order families need too).
            double lo0 = Double.isNaN(s.resegmentMin()) ? Double.NEGATIVE_INFINITY : s.resegmentMin();
            double hi0 = Double.isNaN(s.resegmentMax()) ? Double.POSITIVE_INFINITY : s.resegmentMax();
            ValueCounts inRange = timed(timings, "value counts", () -> backend.valueCounts(fimg, fmsk, s.label(), within, lo0, hi0,
                    () -> ValueCounts.within(morph.get().intensities(), lo0, hi0)));
            double[] range = intensityRange(inRange, lo0, hi0, s.outlierFilter());
            ValueCounts vc = inRange.between(range[0], range[1]);
            if (vc.total() == 0) {
                throw new IllegalArgumentException("re-segmentation [" + s.resegmentMin() + ", " + s.resegmentMax() + "] leaves no voxel");
            }
            Lazy<RoiSample> intensity = new Lazy<>(() -> timed(sampleTiming, "re-segment", () -> filter(morph.get(), range[0], range[1])));
            // Family groups are independent: they run concurrently (each on its own virtual thread, the
            // heavy voxel work inside them on the backend), and their results join in this fixed order.
            IndexBox roiBox = resampled ? backend.boundingBox(fmsk, s.label()).orElseThrow() : box;
            List<Group> groups = new ArrayList<>();
            if (s.families().contains(RadiomicsSettings.MORPHOLOGY)) {
                groups.add(new Group((t, n) -> {
                    var surface = timed(t, "surface", () -> backend.surfaceCounts(fmsk, s.label(), roiBox).measure(fimg.geometry()));
                    if (vc.total() > 4000) {
                        n.add("Moran's I and Geary's C estimated on a fixed-seed subset of 4000 of " + vc.total() + " voxels");
                    }
                    return timed(t, RadiomicsSettings.MORPHOLOGY, () -> {
                        // The voxel reductions on the backend (a device computes them in its own copies).
                        var voxels = new Morphology.Voxels(moments, backend.weightedSums(fimg, fmsk, s.label(), within, range[0], range[1], intensity),
                                vc.total(), ranks -> backend.gather(fimg, fmsk, s.label(), within, range[0], range[1], ranks, intensity));
                        return Morphology.compute(surface, voxels, fimg.geometry(), s.unit(), backend, families);
                    });
                }));
            }
            if (s.families().contains(RadiomicsSettings.LOCAL_INTENSITY)) {
                // The peaks from the intensity mask, on the backend (a device finds the mask in its own copies).
                groups.add(new Group((t, n) -> timed(t, RadiomicsSettings.LOCAL_INTENSITY, () -> LocalIntensity.features(
                        backend.intensityPeaks(fimg, fmsk, s.label(), within, range[0], range[1], LocalIntensity.RADIUS_MM, intensity), s.unit()))));
            }
            List<String> firstOrder = List.of(RadiomicsSettings.INTENSITY_STATISTICS, RadiomicsSettings.INTENSITY_HISTOGRAM, RadiomicsSettings.IVH);
            if (firstOrder.stream().anyMatch(s.families()::contains)) {
                groups.add(new Group((t, n) -> {
                    // The intensity mask's distinct values and their counts: the three first-order families need no more.
                    List<FeatureValue> out = new ArrayList<>();
                    if (s.families().contains(RadiomicsSettings.INTENSITY_STATISTICS)) {
                        out.addAll(timed(t, RadiomicsSettings.INTENSITY_STATISTICS, () -> IntensityStatistics.compute(vc, s.unit())));
                    }
                    if (s.families().contains(RadiomicsSettings.INTENSITY_HISTOGRAM)) {
                        out.addAll(timed(t, RadiomicsSettings.INTENSITY_HISTOGRAM, () -> {
                            Discretisation.Levels l = s.discretisation().apply(vc.values(), discretisationLower(s));
                            long[] h = new long[l.ng() + 1];
                            for (int k = 0; k < vc.distinct(); k++) {
                                h[l.levels()[k]] += vc.counts()[k];
                            }
                            return IntensityHistogram.compute(h, l.ng());
                        }));
                    }
                    if (s.families().contains(RadiomicsSettings.IVH)) {
                        out.addAll(timed(t, RadiomicsSettings.IVH, () -> ivh(vc, s)));
                    }
                    return out;
                }));
            }
            // Texture: one grid of grey levels, then each family concurrently (their matrices are independent).
            List<String> texture = Texture.FAMILIES.stream().filter(s.families()::contains).toList();
            Map<String, Double> gridTiming = new LinkedHashMap<>();
            CompletableFuture<LevelGrid> grid = null;
            if (!texture.isEmpty()) {
                // Built beside the other groups; the texture families wait for it.
                timings.put("texture grid", Double.NaN);
                grid = CompletableFuture.supplyAsync(() -> ScopedValue.where(BackendEvents.CURRENT, events)
                        .call(() -> timed(gridTiming, "texture grid", () -> levelGrid(fimg, fmsk, morph, intensity, vc, roiBox, range, s))), families);
                CompletableFuture<LevelGrid> levels = grid;
                for (String family : texture) {
                    groups.add(new Group((t, n) -> {
                        LevelGrid g = levels.join();
                        return timed(t, family, () -> Texture.compute(g, Set.of(family), s.aggregations(), backend));
                    }));
                }
            }
            List<CompletableFuture<List<FeatureValue>>> running = new ArrayList<>();
            for (Group g : groups) {
                running.add(CompletableFuture.supplyAsync(() -> ScopedValue.where(BackendEvents.CURRENT, events)
                        .call(() -> g.work().run(g.timings(), g.notes())), families));
            }
            if (grid != null) {
                running.add(grid.thenApply(g -> List.of()));
            }
            Tasks.joinAll(running);
            timings.putAll(gridTiming);
            List<FeatureValue> out = new ArrayList<>();
            for (int i = 0; i < groups.size(); i++) {
                out.addAll(running.get(i).join());
                timings.putAll(groups.get(i).timings());
                notes.addAll(groups.get(i).notes());
            }
            Tasks.joinAll(List.of(hashing));
            String inputHash = hashing.join();
            timings.putAll(hashTiming);
            timings.putAll(sampleTiming);
            events.deviceTimings().forEach((op, ms) -> timings.put("device: " + op, ms));
            notes.addAll(events.notes());
            timings.put("total", (System.nanoTime() - start) / 1e6);
            var prov = new FeatureSet.Provenance(s.canonical(), s.hash(), EngineVersion.get(), inputHash, backend.name(), timings, notes);
            return new FeatureSet(out, prov);
        } finally {
            try {
                hashing.exceptionally(e -> null).join(); // on failure too: the inputs are not read after this returns
            } finally {
                // Only what this request made: a failure before or inside resampling leaves img / msk as the caller's.
                if (img != image) {
                    backend.release(img);
                    img.close();
                }
                if (msk != mask) {
                    backend.release(msk.asVolume());
                    msk.close();
                }
            }
        }
    }

    /**
     * The resampled block, kept by the backend for this request (a device backend leaves it where it computed it: it
     * does not cross the bus, and its host voxels are filled only if something reads them on the host) and rounded
     * there too.
     */
    private Volume resampleImage(Volume image, Geometry target, IndexBox block, RadiomicsSettings s) {
        Volume v = backend.resampleKept(image, target, s.interpolation(), block, "resampled block of this request");
        try {
            if (s.roundIntensities()) {
                backend.roundInPlace(v);
            }
            return v;
        } catch (RuntimeException | Error e) {
            backend.release(v);
            v.close();
            throw e;
        }
    }

    /**
     * The block of the resampled grid {@code target} a request needs: every voxel the resampled ROI can
     * reach (its trilinear indicator is non-zero only within one source voxel of the ROI's box
     * {@code roi}), grown by the local-intensity radius and two voxels, within the grid.
     */
    static IndexBox resampledBlock(Geometry source, IndexBox roi, Geometry target) {
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int k = 0; k < 8; k++) {
            double i = (k & 1) == 0 ? roi.x0() - 1 : roi.x1(), j = (k >> 1 & 1) == 0 ? roi.y0() - 1 : roi.y1();
            double l = (k >> 2 & 1) == 0 ? roi.z0() - 1 : roi.z1();
            io.hounsfield.core.Vec3 t = target.worldToIndex(source.indexToWorld(i, j, l));
            for (int a = 0; a < 3; a++) {
                lo[a] = Math.min(lo[a], t.get(a));
                hi[a] = Math.max(hi[a], t.get(a));
            }
        }
        var e = target.extent();
        int[] n = {e.nx(), e.ny(), e.nz()}, from = new int[3], to = new int[3];
        for (int a = 0; a < 3; a++) {
            int margin = (int) Math.ceil(LocalIntensity.RADIUS_MM / target.spacing().get(a)) + 2;
            from[a] = (int) Math.max(0, Math.floor(lo[a]) - margin);
            to[a] = (int) Math.min(n[a], Math.ceil(hi[a]) + margin + 1);
            if (from[a] >= to[a]) {
                return IndexBox.of(e);
            }
        }
        return new IndexBox(from[0], from[1], from[2], to[0], to[1], to[2]);
    }

    /**
     * The intensity mask (IBSI re-segmentation) as a range: the re-segmentation range [lo, hi], narrowed (if
     * {@code outliers}) to mean ± 3 SD of the voxels in it — one closed interval, so the mask is the
     * morphological one's voxels within it. Mean and SD come from the values' counts ({@code inRange}, the
     * voxels in [lo, hi]), summed in ascending value order: the same on every backend.
     */
    static double[] intensityRange(ValueCounts inRange, double lo, double hi, boolean outliers) {
        long n = inRange.total();
        if (outliers && n > 0) {
            double[] v = inRange.values();
            long[] c = inRange.counts();
            double m = 0, var = 0;
            for (int k = 0; k < v.length; k++) {
                m += v[k] * c[k];
            }
            m /= n;
            for (int k = 0; k < v.length; k++) {
                var += (v[k] - m) * (v[k] - m) * c[k];
            }
            double sd = Math.sqrt(var / n);
            lo = Math.max(lo, m - 3 * sd);
            hi = Math.min(hi, m + 3 * sd);
        }
        return new double[] {lo, hi};
    }

    /** A value computed once, when first asked for, by whichever thread asks first (others wait for it). */
    private static final class Lazy<T> implements Supplier<T> {
        private Supplier<T> make;
        private T value;

        Lazy(Supplier<T> make) {
            this.make = make;
        }

        @Override
        public synchronized T get() {
            if (make != null) {
                value = make.get();
                make = null;
            }
            return value;
        }
    }

    private static RoiSample filter(RoiSample in, double lo, double hi) {
        int n = 0;
        for (double x : in.intensities()) {
            if (x >= lo && x <= hi) {
                n++;
            }
        }
        if (n == in.size()) {
            return in;
        }
        double[] v = new double[n];
        long[] idx = new long[n];
        int k = 0;
        for (int i = 0; i < in.size(); i++) {
            double x = in.intensities()[i];
            if (x >= lo && x <= hi) {
                v[k] = x;
                idx[k++] = in.indices()[i];
            }
        }
        return new RoiSample(v, idx);
    }

    /**
     * The texture families' grid through the backend (a device backend builds it from its copy of the image
     * and keeps it for the matrices): the same grid as {@link #levelGrid(RoiSample, RoiSample,
     * io.hounsfield.core.Extent, IndexBox, RadiomicsSettings)} from the samples — the settings' binning of the
     * intensity mask's range.
     */
    private LevelGrid levelGrid(Volume image, Mask mask, Supplier<RoiSample> morph, Supplier<RoiSample> intensity, ValueCounts vc, IndexBox roi,
                                double[] range, RadiomicsSettings s) {
        double min = vc.values()[0], max = vc.values()[vc.distinct() - 1];
        io.hounsfield.core.backend.Binning binning = s.discretisation().binning(min, max, discretisationLower(s));
        return backend.levelGrid(image, mask, s.label(), roi, range[0], range[1], binning, s.discretisation().levelCount(binning, max),
                () -> levelGrid(morph.get(), intensity.get(), image.extent(), roi, s));
    }

    /** Xmin of fixed bin size: the re-segmentation's lower bound if it has one (NaN: the ROI minimum). */
    private static double discretisationLower(RadiomicsSettings s) {
        return Double.isFinite(s.resegmentMin()) ? s.resegmentMin() : Double.NaN;
    }

    /**
     * The discretised grey levels of the intensity mask on the box of the morphological mask (IBSI: texture
     * matrices use the intensity mask; GLDZM measures distances to the morphological mask's edge); {@code roi} is
     * the morphological mask's bounding box, which the extractor already knows.
     */
    static LevelGrid levelGrid(RoiSample morph, RoiSample intensity, io.hounsfield.core.Extent e, IndexBox roi, RadiomicsSettings s) {
        int x0 = roi.x0(), y0 = roi.y0(), z0 = roi.z0();
        int nx = roi.x1() - x0, ny = roi.y1() - y0, nz = roi.z1() - z0;
        int[] levels = new int[nx * ny * nz];
        boolean[] mask = new boolean[levels.length];
        IndexSplitter at = new IndexSplitter(e);
        for (long i : morph.indices()) {
            at.split(i);
            mask[(at.x() - x0) + nx * ((at.y() - y0) + ny * (at.z() - z0))] = true;
        }
        Discretisation.Levels l = s.discretisation().apply(intensity.intensities(), discretisationLower(s));
        long[] idx = intensity.indices();
        for (int k = 0; k < idx.length; k++) {
            at.split(idx[k]);
            levels[(at.x() - x0) + nx * ((at.y() - y0) + ny * (at.z() - z0))] = l.levels()[k];
        }
        return new LevelGrid(nx, ny, nz, levels, mask, l.ng());
    }

    /** IVH: integer data at step 1 over [min, max] (or the re-segmentation range); else 1000 steps of the range. */
    private static List<FeatureValue> ivh(ValueCounts vc, RadiomicsSettings s) {
        double[] x = vc.values();
        double min = x[0], max = x[x.length - 1];
        boolean integral = true;
        for (double v : x) {
            integral &= v == Math.rint(v);
        }
        double lo = Double.isFinite(s.resegmentMin()) ? s.resegmentMin() : min;
        double hi = Double.isFinite(s.resegmentMax()) ? s.resegmentMax() : max;
        double step = !Double.isNaN(s.ivhStep()) ? s.ivhStep() : integral ? 1 : (hi - lo) / 1000;
        double[] snapped = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            snapped[i] = lo + step * Math.floor((x[i] - lo) / step + 1e-9);
        }
        hi = lo + step * Math.floor((hi - lo) / step + 1e-9);
        return IntensityVolumeHistogram.compute(snapped, vc.counts(), lo, hi, step, s.unit());
    }

    /**
     * SHA-256 of the grid and of the image and mask voxels in the ROI's box, grown by the local-intensity
     * radius: per row, the image values — as little-endian int16 when every value in the box is a whole
     * number in int16's range, else as float64 (a tag byte says which), so the hash depends on the values,
     * not on how they are stored — then the ROI membership as bits. Stored int16 rows are hashed as they lie.
     */
    private static String inputHash(Volume image, Mask mask, IndexBox box, int label) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            Geometry g = image.geometry();
            d.update(g.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            int margin = (int) Math.ceil(LocalIntensity.RADIUS_MM / Math.min(g.spacing().x(), Math.min(g.spacing().y(), g.spacing().z()))) + 1;
            IndexBox b = box.expand(margin, g.extent());
            boolean narrow = wholeInt16(image, b);
            d.update((byte) (narrow ? 2 : 8));
            int w = b.x1() - b.x0();
            byte[] values = new byte[(narrow ? 2 : 8) * w], bits = new byte[(w + 7) / 8];
            MemorySegment img = image.segment(), labels = mask.asVolume().segment(), out = MemorySegment.ofArray(values);
            ValueLayout.OfShort le16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            ValueLayout.OfDouble le64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            byte want = (byte) label;
            for (int z = b.z0(); z < b.z1(); z++) {
                for (int y = b.y0(); y < b.y1(); y++) {
                    long row = g.extent().index(b.x0(), y, z);
                    if (narrow && image.type() == VoxelType.INT16) {
                        MemorySegment.copy(img, ValueLayout.JAVA_SHORT, 2 * row, out, le16, 0, w);
                    } else {
                        for (int x = 0; x < w; x++) {
                            double v = image.get(row + x);
                            if (narrow) {
                                out.setAtIndex(le16, x, (short) v);
                            } else {
                                out.setAtIndex(le64, x, v);
                            }
                        }
                    }
                    java.util.Arrays.fill(bits, (byte) 0);
                    for (int x = 0; x < w; x++) {
                        if (labels.get(ValueLayout.JAVA_BYTE, row + x) == want) {
                            bits[x >> 3] |= (byte) (1 << (x & 7));
                        }
                    }
                    d.update(values);
                    d.update(bits);
                }
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether every value of {@code image} in {@code b} is a whole number in int16's range. */
    private static boolean wholeInt16(Volume image, IndexBox b) {
        VoxelType t = image.type();
        if (t == VoxelType.INT16 || t == VoxelType.UINT8) {
            return true;
        }
        Extent e = image.extent();
        for (int z = b.z0(); z < b.z1(); z++) {
            for (int y = b.y0(); y < b.y1(); y++) {
                long row = e.index(b.x0(), y, z);
                for (int x = 0; x < b.x1() - b.x0(); x++) {
                    double v = image.get(row + x);
                    if (!(v >= Short.MIN_VALUE && v <= Short.MAX_VALUE && v == Math.rint(v))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private <T> T timed(Map<String, Double> timings, String stage, Supplier<T> work) {
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("feature extraction cancelled before '" + stage + "'");
        }
        long t0 = System.nanoTime();
        T r = work.get();
        timings.merge(stage, (System.nanoTime() - t0) / 1e6, Double::sum);
        return r;
    }
}
