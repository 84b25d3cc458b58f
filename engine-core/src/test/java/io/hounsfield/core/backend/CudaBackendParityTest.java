package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GPU against CPU on random volumes, every output element: runs only where a CUDA device and the
 * kernels are present (the device harness runs it on a GPU host). Seeds are fresh each run and printed;
 * device outputs are poisoned (0xFF bytes) before the kernels write them. Agreement as the backend
 * promises: integers exactly; float sums of integer images exactly, of float images within 1e-9
 * relative; resampled floats within 1e-6 relative (nearest: exactly).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class CudaBackendParityTest {

    static boolean available() {
        return ParityBackends.available();
    }

    private static CpuBackend cpu;
    private static CudaBackend cuda;
    /** Fresh each run (printed); {@code -Dparity.seed=N} repeats a run. */
    private static final long SEED = Long.getLong("parity.seed", System.nanoTime());

    @BeforeAll
    static void open() {
        System.out.println("CudaBackendParityTest seed " + SEED);
        cpu = CpuBackend.sequential();
        cuda = ParityBackends.open(cpu);
        System.out.println("CudaBackendParityTest on " + ParityBackends.where());
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            System.out.println("CudaBackendParityTest metrics " + cuda.metrics().snapshot());
            cuda.close();
        }
    }

    record Case(String name, Extent extent, VoxelType type, long seed) {
        @Override
        public String toString() {
            return name + " " + extent + " " + type.id() + " seed " + seed;
        }
    }

    static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(SEED);
        return List.of(
                new Case("CT-like", new Extent(97, 83, 41), VoxelType.INT16, r.nextLong()),
                new Case("MR-like", new Extent(64, 64, 33), VoxelType.UINT16, r.nextLong()),
                new Case("float", new Extent(31, 29, 27), VoxelType.FLOAT32, r.nextLong()),
                new Case("one slice", new Extent(255, 1, 1), VoxelType.INT16, r.nextLong()),
                new Case("large", new Extent(256, 256, 96), VoxelType.INT16, r.nextLong()));
    }

    private static Volume image(Case c, Geometry g) {
        SplittableRandom r = new SplittableRandom(c.seed());
        Volume v = Volume.allocate(g, c.type());
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, switch (c.type()) {
                case INT16 -> r.nextInt(-1024, 3072);
                case UINT16 -> r.nextInt(0, 4096);
                default -> r.nextGaussian() * 250 + 40;
            });
        }
        return v;
    }

    private static Mask mask(Case c, Geometry g) {
        SplittableRandom r = new SplittableRandom(~c.seed());
        Mask m = Mask.allocate(g);
        for (long i = 0; i < m.asVolume().voxelCount(); i++) {
            m.set(i, r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(2));
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyDeviceOperationAgreesWithTheCpu(Case c) {
        Geometry g = new Geometry(c.extent(), new Vec3(0.7, 0.8, 2.5), new Vec3(-10, 5, 3),
                io.hounsfield.core.Mat3.rotation(new Vec3(0.2, 1, 0.1), 0.3));
        boolean integral = c.type() != VoxelType.FLOAT32;
        try (Volume img = image(c, g); Mask m = mask(c, g)) {
            Moments a = cuda.moments(img, m, 1), b = cpu.moments(img, m, 1);
            assertThat(a.count()).isEqualTo(b.count());
            assertThat(a.min()).isEqualTo(b.min());
            assertThat(a.max()).isEqualTo(b.max());
            if (integral) {
                assertThat(a.sum()).isEqualTo(b.sum());
                assertThat(a.sumOfSquares()).isEqualTo(b.sumOfSquares());
            } else {
                // Σ|x| ≤ √(n·Σx²) bounds what a reordered sum can differ by, relative to the terms.
                assertThat(a.sum()).isCloseTo(b.sum(), org.assertj.core.api.Assertions.within(1e-9 * Math.sqrt(b.count() * b.sumOfSquares())));
                assertThat(a.sumOfSquares()).isCloseTo(b.sumOfSquares(), org.assertj.core.api.Assertions.within(1e-9 * b.sumOfSquares()));
            }
            try (Mask x = cuda.rangeMask(img, m, 1, -50, 200); Mask y = cpu.rangeMask(img, m, 1, -50, 200)) {
                assertThat(x.asVolume().segment().mismatch(y.asVolume().segment())).as("range mask").isEqualTo(-1L);
            }
            for (Binning bin : List.of(Binning.fixedBinNumber(b.min(), b.max(), 64), Binning.fixedBinSize(b.min(), 25))) {
                try (Volume x = cuda.discretise(img, m, 1, bin); Volume y = cpu.discretise(img, m, 1, bin)) {
                    assertThat(x.segment().mismatch(y.segment())).as("discretise %s", bin).isEqualTo(-1L);
                    int nbins = bin.fixedBinNumber() ? 64 : bin.level(b.max());
                    assertThat(cuda.histogram(x, nbins)).as("histogram").containsExactly(cpu.histogram(y, nbins));
                }
            }
            // Local intensity: every ROI voxel's 1 cm³ sphere mean, summed in the CPU's order — bit for bit.
            long[] centres = cpu.sample(img, m, 1).indices();
            if (centres.length > 0) {
                double[] want = cpu.sphereMeans(img, centres, 6.2035), got = cuda.sphereMeans(img, centres, 6.2035);
                for (int i = 0; i < centres.length; i++) {
                    assertThat(Double.compare(got[i], want[i])).as("sphere mean at %d: %s vs %s", centres[i], got[i], want[i]).isZero();
                }
            }
            // Moran's pairwise sums over up to 3001 of the ROI's voxels (the rows summed in the CPU's order): bit for bit.
            if (centres.length >= 2) {
                int n = Math.min(centres.length, 3001);
                double[] pos = new double[3 * n], vals = new double[n];
                double[] aff = g.indexToWorldMatrix();
                for (int i = 0; i < n; i++) {
                    long k = centres[i];
                    double xi = k % c.extent().nx(), yi = k / c.extent().nx() % c.extent().ny(), zi = k / c.extent().sliceSize();
                    for (int r = 0; r < 3; r++) {
                        pos[3 * i + r] = aff[4 * r] * xi + aff[4 * r + 1] * yi + aff[4 * r + 2] * zi + aff[4 * r + 3];
                    }
                    vals[i] = img.get(k);
                }
                assertThat(cuda.inverseDistanceSums(pos, vals, 17.5)).as("inverse-distance sums")
                        .containsExactly(cpu.inverseDistanceSums(pos, vals, 17.5));
            }
            // Value counts (integral images on the device): exact, kept on the device or not, with and without a range.
            io.hounsfield.core.IndexBox roi = m.boundingBox(1).orElseThrow();
            for (double[] range : List.of(new double[] {Double.NaN, Double.NaN}, new double[] {-100, 900})) {
                ValueCounts want = cpu.valueCounts(img, m, 1, roi, range[0], range[1]);
                assertThat(cuda.valueCounts(img, m, 1, roi, range[0], range[1])).as("value counts %s", List.of(range[0], range[1])).isEqualTo(want);
                cuda.keep(img, c.name());
                try {
                    assertThat(cuda.valueCounts(img, m, 1, roi, range[0], range[1])).as("value counts, kept").isEqualTo(want);
                } finally {
                    cuda.release(img);
                }
            }
            try (Volume x = cuda.clip(img, -20.5, 150); Volume y = cpu.clip(img, -20.5, 150)) {
                assertThat(x.segment().mismatch(y.segment())).as("clip").isEqualTo(-1L);
            }
            io.hounsfield.core.IndexBox box = new io.hounsfield.core.IndexBox(c.extent().nx() / 4, 0, c.extent().nz() / 3,
                    c.extent().nx() - 1, c.extent().ny(), c.extent().nz());
            cuda.keep(img, c.name());
            try (Volume x = cuda.crop(img, box); Volume y = cpu.crop(img, box)) {
                assertThat(x.type()).isEqualTo(img.type());
                assertThat(x.segment().mismatch(y.segment())).as("crop").isEqualTo(-1L);
                if (centres.length > 0) { // sphere blocks cut from the kept copy on the device
                    double[] want = cpu.sphereMeans(img, centres, 6.2035), got = cuda.sphereMeans(img, centres, 6.2035);
                    for (int i = 0; i < centres.length; i++) {
                        assertThat(Double.compare(got[i], want[i])).as("kept sphere mean at %d", centres[i]).isZero();
                    }
                    assertPeaksOnDevice(img, m, 1, roi, false);
                    assertReductionsOnDevice(img, m, 1, roi, false);
                }
            } finally {
                cuda.release(img);
            }
            for (Vec3 spacing : List.of(new Vec3(1, 1, 1), new Vec3(0.35, 0.5, 3))) {
                Geometry target = Resampling.centredGrid(g, spacing);
                // A block of the new grid: the same voxels as the whole grid's, on both backends.
                var te = target.extent();
                io.hounsfield.core.IndexBox rb = new io.hounsfield.core.IndexBox(te.nx() / 4, te.ny() / 3, te.nz() / 2, te.nx(), te.ny(), te.nz());
                for (Interpolation mode : List.of(Interpolation.NEAREST, Interpolation.TRILINEAR)) {
                    try (Volume x = cuda.resample(img, target, mode, rb); Volume y = cpu.resample(img, target, mode, rb)) {
                        for (long i = 0; i < x.voxelCount(); i++) {
                            double want = y.get(i), got = x.get(i);
                            assertThat(Math.abs(got - want)).as("block %s at %d: %s vs %s", mode, i, got, want)
                                    .isLessThanOrEqualTo(mode == Interpolation.NEAREST ? 0 : 1e-6 * Math.max(1, Math.abs(want)));
                        }
                    }
                }
                // A label resampled by IBSI's ≥ 0.5 rule, bit for bit: the noisy labels (their box is the grid) and a
                // small blob (its box, grown by one voxel, is all the device reads).
                try (Mask blob = Mask.allocate(g)) {
                    SplittableRandom r = new SplittableRandom(c.seed() + 7);
                    var e = c.extent();
                    int bx = r.nextInt(e.nx()), by = r.nextInt(e.ny()), bz = r.nextInt(e.nz());
                    for (int z = bz; z < Math.min(e.nz(), bz + 1 + e.nz() / 3); z++) {
                        for (int y = by; y < Math.min(e.ny(), by + 1 + e.ny() / 3); y++) {
                            for (int x = bx; x < Math.min(e.nx(), bx + 1 + e.nx() / 3); x++) {
                                blob.set(x, y, z, r.nextInt(5) == 0 ? 0 : 3);
                            }
                        }
                    }
                    blob.set(bx, by, bz, 3);
                    for (Mask labels : List.of(m, blob)) {
                        int label = labels == m ? 1 : 3;
                        var holds = labels.boundingBox(label).orElseThrow();
                        for (var block : List.of(rb, io.hounsfield.core.IndexBox.of(te))) {
                            try (Mask x = cuda.resampleLabel(labels, label, holds, target, block); Mask y = cpu.resampleLabel(labels, label, holds, target, block)) {
                                assertThat(x.geometry()).isEqualTo(y.geometry());
                                assertThat(x.asVolume().segment().mismatch(y.asVolume().segment())).as("resampled label %d, block %s", label, block)
                                        .isEqualTo(-1L);
                            }
                        }
                    }
                }
                for (Interpolation mode : List.of(Interpolation.NEAREST, Interpolation.TRILINEAR)) {
                    try (Volume x = cuda.resample(img, target, mode); Volume y = cpu.resample(img, target, mode)) {
                        for (long i = 0; i < x.voxelCount(); i++) {
                            double want = y.get(i), got = x.get(i);
                            if (mode == Interpolation.NEAREST) {
                                assertThat(got).as("nearest at %d", i).isEqualTo(want);
                            } else {
                                assertThat(Math.abs(got - want)).as("trilinear at %d: %s vs %s", i, got, want)
                                        .isLessThanOrEqualTo(1e-6 * Math.max(1, Math.abs(want)));
                            }
                        }
                    }
                }
            }
        }
        assertThat(cuda.usable()).isTrue();
        assertThat(cuda.metrics().outOfMemoryFallbacks()).isZero();
    }
    /**
     * IBSI's intensity peaks of label {@code label}'s intensity mask in {@code roi} (a kept image), without and with
     * a re-segmentation range: the CPU's bit for bit, and found on the device — only the mask's extent (28 bytes)
     * and the two peaks (16) come back, no sphere means; no centres go up, only the extent's start (28 bytes), the
     * sphere's layout and, for a mask that is not kept, the ROI box's mask bytes.
     */
    private static void assertPeaksOnDevice(Volume img, Mask m, int label, io.hounsfield.core.IndexBox roi, boolean maskKept) {
        for (double[] range : List.of(new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, new double[] {-100, 900})) {
            RoiSample in = within(cpu.sample(img, m, label, roi), range[0], range[1]);
            double[] want = cpu.intensityPeaks(img, m, label, roi, range[0], range[1], 6.2035, () -> in);
            var before = cuda.metrics().snapshot();
            double[] got = cuda.intensityPeaks(img, m, label, roi, range[0], range[1], 6.2035, () -> in);
            var after = cuda.metrics().snapshot();
            assertThat(got).as("intensity peaks of label %d in %s, range %s", label, roi, List.of(range[0], range[1])).containsExactly(want);
            long layout = in.size() == 0 ? 0 : 4L * SphereLayout.of(img.geometry(), in.indices(), 6.2035).packed(img.extent()).length;
            assertThat(after.get("bytes_downloaded") - before.get("bytes_downloaded")).as("bytes down for the peaks").isEqualTo(7 * 4 + (in.size() == 0 ? 0 : 16));
            assertThat(after.get("bytes_uploaded") - before.get("bytes_uploaded")).as("bytes up for the peaks")
                    .isEqualTo(7 * 4 + layout + (maskKept ? 0 : roi.extent().voxelCount()));
        }
    }

    /**
     * Morphology's voxel reductions of label {@code label} in {@code roi} (a kept image; the mask kept or not), without
     * and with a range: the index moments (on the device only for a kept mask), the intensity mask's weighted sums
     * row by row, and its voxels at every rank and at a sorted random subset of ranks — the CPU's (from samples) bit
     * for bit, with none of the mask's voxels coming back.
     */
    private static void assertReductionsOnDevice(Volume img, Mask m, int label, io.hounsfield.core.IndexBox roi, boolean maskKept) {
        RoiSample all = cpu.sample(img, m, label, roi);
        var before = cuda.metrics().snapshot();
        assertThat(cuda.indexMoments(m, label, roi, () -> all)).as("index moments of label %d", label)
                .containsExactly(RoiSums.indexMoments(all.indices(), img.extent()));
        assertThat(cuda.metrics().snapshot().get("bytes_downloaded") - before.get("bytes_downloaded")).as("bytes down for the moments")
                .isEqualTo(maskKept ? 8L * RoiSums.MOMENTS : 0);
        for (double[] range : List.of(new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY}, new double[] {-100, 900})) {
            RoiSample in = within(all, range[0], range[1]);
            String what = "label " + label + " in " + roi + ", range " + List.of(range[0], range[1]);
            assertThat(cuda.weightedSums(img, m, label, roi, range[0], range[1], () -> in)).as("weighted sums, %s", what)
                    .containsExactly(RoiSums.weightedSums(in, img.extent()));
            SplittableRandom r = new SplittableRandom(SEED + label);
            int[] every = java.util.stream.IntStream.range(0, in.size()).toArray();
            int[] some = r.ints(0, Math.max(1, in.size())).distinct().limit(Math.min(in.size(), 37)).sorted().toArray();
            for (int[] ranks : List.of(every, some)) {
                if (ranks.length == 0) {
                    continue;
                }
                RoiSample got = cuda.gather(img, m, label, roi, range[0], range[1], ranks, () -> in), want = RoiSums.pick(in, ranks);
                // The first difference, if any (a diff of millions of entries would take the assertion library minutes).
                int at = java.util.Arrays.mismatch(got.indices(), want.indices());
                assertThat(at).as("gathered indices, %s: first difference at %d of %d", what, at, ranks.length).isEqualTo(-1);
                at = java.util.Arrays.mismatch(got.intensities(), want.intensities());
                assertThat(at).as("gathered values, %s: first difference at %d of %d (%s vs %s)", what, at, ranks.length,
                        at < 0 ? "" : got.intensities()[at], at < 0 ? "" : want.intensities()[at]).isEqualTo(-1);
            }
        }
        assertThat(cuda.metrics().cpuFallbacks() - before.get("cpu_fallbacks")).as("reductions that ran on the CPU").isZero();
    }

    /** The voxels of {@code s} whose value lies in [lo, hi]. */
    private static RoiSample within(RoiSample s, double lo, double hi) {
        int n = 0;
        double[] v = new double[s.size()];
        long[] idx = new long[s.size()];
        for (int i = 0; i < s.size(); i++) {
            double x = s.intensities()[i];
            if (x >= lo && x <= hi) {
                v[n] = x;
                idx[n++] = s.indices()[i];
            }
        }
        return new RoiSample(java.util.Arrays.copyOf(v, n), java.util.Arrays.copyOf(idx, n));
    }

    /**
     * A kept mask (the server's case): its bounding boxes come from one device pass over its bytes, and the ROI's
     * bytes the value counts, the surface counts and the label's resampling read are cut there — the CPU's results,
     * on grids whose sizes are and are not multiples of the kernel's eight-label words, with labels at the first and
     * last voxel, a blob, scattered voxels, an absent label and the background. After the first use nothing of the
     * mask crosses the bus again.
     */
    @org.junit.jupiter.api.Test
    void aKeptMasksBoxesAndRoiBytesAreTheCpus() {
        SplittableRandom r = new SplittableRandom(SEED ^ 0x5A5AL);
        for (Extent e : List.of(new Extent(37, 21, 13), new Extent(8, 8, 8), new Extent(255, 1, 1), new Extent(1, 1, 1), new Extent(64, 48, 9))) {
            Geometry g = new Geometry(e, new Vec3(0.7, 0.8, 2.5), new Vec3(-10, 5, 3), io.hounsfield.core.Mat3.rotation(new Vec3(0.2, 1, 0.1), 0.3));
            long n = e.voxelCount();
            try (Mask m = Mask.allocate(g); Volume img = Volume.allocate(g, VoxelType.INT16)) {
                for (long i = 0; i < n; i++) {
                    img.set(i, r.nextInt(-1024, 3072));
                }
                m.set(n - 1, 1); // the last voxel: past the last whole word when n % 8 != 0
                m.set(0, 1);
                int bx = r.nextInt(e.nx()), by = r.nextInt(e.ny()), bz = r.nextInt(e.nz());
                for (int z = bz; z < Math.min(e.nz(), bz + 1 + e.nz() / 3); z++) {
                    for (int y = by; y < Math.min(e.ny(), by + 1 + e.ny() / 3); y++) {
                        for (int x = bx; x < Math.min(e.nx(), bx + 1 + e.nx() / 3); x++) {
                            if (m.label(e.index(x, y, z)) == 0 && r.nextInt(6) != 0) {
                                m.set(x, y, z, 2);
                            }
                        }
                    }
                }
                for (int k = 0; k < 3 && n > 2; k++) {
                    m.set(1 + r.nextLong(n - 2), 3);
                }
                cuda.keep(m.asVolume(), "mask " + e);
                try {
                    for (int round = 0; round < 2; round++) {
                        long upBefore = cuda.metrics().snapshot().get("bytes_uploaded"), imageBytes = 0;
                        for (int label = 0; label <= 4; label++) {
                            var want = cpu.boundingBox(m, label);
                            assertThat(cuda.boundingBox(m, label)).as("bounding box of label %d in %s", label, e).isEqualTo(want);
                            if (label == 0 || want.isEmpty()) {
                                continue;
                            }
                            var box = want.get();
                            imageBytes += 4 * box.extent().voxelCount() + 12 * 8; // the value counts' float box, the resampling's index map
                            assertThat(cuda.valueCounts(img, m, label, box, -100, 900)).as("value counts of label %d", label)
                                    .isEqualTo(cpu.valueCounts(img, m, label, box, -100, 900));
                            assertThat(cuda.surfaceCounts(m, label, box)).as("surface counts of label %d", label).isEqualTo(cpu.surfaceCounts(m, label, box));
                            Geometry target = Resampling.centredGrid(g, new Vec3(1, 1, 1));
                            var block = io.hounsfield.core.IndexBox.of(target.extent());
                            try (Mask x = cuda.resampleLabel(m, label, box, target, block); Mask y = cpu.resampleLabel(m, label, box, target, block)) {
                                assertThat(x.asVolume().segment().mismatch(y.asVolume().segment())).as("resampled label %d", label).isEqualTo(-1L);
                            }
                        }
                        if (round == 1) {
                            // Only the value counts' image boxes and the resampling's index maps went up: no mask bytes.
                            assertThat(cuda.metrics().snapshot().get("bytes_uploaded") - upBefore).as("bytes up with the mask on the device")
                                    .isEqualTo(imageBytes);
                        }
                    }
                    cuda.keep(img, "image " + e);
                    try {
                        var all = io.hounsfield.core.IndexBox.of(e);
                        cuda.intensityPeaks(img, m, 1, all, -1e9, 1e9, 6.2035, () -> within(cpu.sample(img, m, 1, all), -1e9, 1e9)); // the image goes up
                        for (int label = 1; label <= 3; label++) {
                            int l = label;
                            m.boundingBox(label).ifPresent(box -> {
                                assertPeaksOnDevice(img, m, l, box, true);
                                assertReductionsOnDevice(img, m, l, box, true);
                            });
                        }
                    } finally {
                        cuda.release(img);
                    }
                } finally {
                    cuda.release(m.asVolume());
                }
            }
        }
    }
}
