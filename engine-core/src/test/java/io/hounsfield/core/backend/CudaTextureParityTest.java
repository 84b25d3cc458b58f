package io.hounsfield.core.backend;

import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device's texture matrices against the CPU's, entry for entry and exactly (integer counts): GLCM and
 * GLRLM for all 13 directions in 3D and the 4 of a slice, NGTDM and NGLDM (α 0 and 1), GLSZM and GLDZM zones,
 * on spatially correlated random level grids with fresh seeds (printed), several grey-level counts (the
 * GLCM's shared-memory and global-atomic paths both), shapes (a line, a single slice, a box) and a
 * re-segmented intensity mask inside an ellipsoidal morphological mask. Each device matrix is built twice
 * and must not change. Runs only where a CUDA device and the kernels are present (the device harness).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class CudaTextureParityTest {

    static boolean available() {
        return ParityBackends.available();
    }

    private static CudaBackend cuda;
    private static final long SEED = System.nanoTime();

    @BeforeAll
    static void open() {
        System.out.println("CudaTextureParityTest seed " + SEED);
        cuda = ParityBackends.open(CpuBackend.sequential());
        System.out.println("CudaTextureParityTest on " + ParityBackends.where());
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            System.out.println("CudaTextureParityTest metrics " + cuda.metrics().snapshot());
            cuda.close();
        }
    }

    record Case(String name, int nx, int ny, int nz, int ng, long seed) {
        @Override
        public String toString() {
            return name + " " + nx + "x" + ny + "x" + nz + " ng " + ng + " seed " + seed;
        }
    }

    static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(SEED);
        return List.of(
                new Case("one level", 20, 18, 9, 1, r.nextLong()),
                new Case("few levels", 40, 35, 20, 3, r.nextLong()),
                new Case("CT lesion", 61, 57, 23, 16, r.nextLong()),
                new Case("shared-memory limit", 48, 44, 17, 110, r.nextLong()),
                new Case("global atomics", 50, 47, 15, 128, r.nextLong()),
                new Case("a slice", 64, 64, 1, 32, r.nextLong()),
                new Case("a line", 1, 1, 50, 8, r.nextLong()),
                new Case("organ", 120, 110, 60, 64, r.nextLong()));
    }

    /** Smooth random levels (a few Gaussian blobs, quantised) in an ellipsoid, with 5 % re-segmented away. */
    static LevelGrid grid(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        int n = c.nx() * c.ny() * c.nz();
        double[] field = new double[n];
        for (int blob = 0; blob < 6; blob++) {
            double bx = r.nextDouble() * c.nx(), by = r.nextDouble() * c.ny(), bz = r.nextDouble() * c.nz();
            double s = 2 + r.nextDouble() * 8, w = r.nextGaussian();
            for (int z = 0, k = 0; z < c.nz(); z++) {
                for (int y = 0; y < c.ny(); y++) {
                    for (int x = 0; x < c.nx(); x++, k++) {
                        double d2 = (x - bx) * (x - bx) + (y - by) * (y - by) + (z - bz) * (z - bz);
                        field[k] += w * Math.exp(-d2 / (2 * s * s));
                    }
                }
            }
        }
        double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (double f : field) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        int[] lv = new int[n];
        boolean[] morph = new boolean[n];
        for (int z = 0, k = 0; z < c.nz(); z++) {
            for (int y = 0; y < c.ny(); y++) {
                for (int x = 0; x < c.nx(); x++, k++) {
                    double ex = (x + 0.5) / c.nx() - 0.5, ey = (y + 0.5) / c.ny() - 0.5, ez = (z + 0.5) / c.nz() - 0.5;
                    morph[k] = c.nx() == 1 || c.nz() == 1 || ex * ex + ey * ey + ez * ez <= 0.25;
                    boolean intensity = morph[k] && r.nextInt(20) > 0;
                    lv[k] = intensity ? Math.min(c.ng(), 1 + (int) ((field[k] - lo) / (hi - lo + 1e-12) * c.ng())) : 0;
                }
            }
        }
        return new LevelGrid(c.nx(), c.ny(), c.nz(), lv, morph, c.ng());
    }

    private static void same(String what, SparseCounts gpu, SparseCounts cpu) {
        assertThat(gpu.i()).as(what + " i").containsExactly(cpu.i());
        assertThat(gpu.j()).as(what + " j").containsExactly(cpu.j());
        assertThat(gpu.n()).as(what + " n").containsExactly(cpu.n());
        assertThat(gpu.voxels()).as(what + " N_v").isEqualTo(cpu.voxels());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyTextureMatrixEqualsTheCpusExactly(Case c) {
        LevelGrid g = grid(c);
        List<int[]> ranges = new ArrayList<>(List.of(new int[] {0, c.nz(), 1}));
        ranges.add(new int[] {0, 1, 0});
        ranges.add(new int[] {c.nz() / 2, c.nz() / 2 + 1, 0});
        for (int[] z : ranges) {
            boolean threeD = z[2] == 1;
            String at = (threeD ? "3D" : "slice " + z[0]) + " ";
            for (int[] d : threeD ? TextureMatrices.DIRECTIONS_3D : TextureMatrices.DIRECTIONS_2D) {
                String dir = java.util.Arrays.toString(d);
                long[] glcm = cuda.cooccurrence(g, d, z[0], z[1]);
                assertThat(glcm).as(at + "GLCM " + dir).containsExactly(TextureMatrices.cooccurrence(g, d, z[0], z[1]));
                assertThat(cuda.cooccurrence(g, d, z[0], z[1])).as(at + "GLCM again " + dir).containsExactly(glcm);
                same(at + "GLRLM " + dir, cuda.runLengths(g, d, z[0], z[1]), TextureMatrices.runLengths(g, d, z[0], z[1]));
            }
            // All directions in one launch: the same matrices.
            int[][] dirs = threeD ? TextureMatrices.DIRECTIONS_3D : TextureMatrices.DIRECTIONS_2D;
            long[][] glcms = cuda.cooccurrences(g, dirs, z[0], z[1]);
            SparseCounts[] runs = cuda.runLengths(g, dirs, z[0], z[1]);
            for (int i = 0; i < dirs.length; i++) {
                String dir = java.util.Arrays.toString(dirs[i]);
                assertThat(glcms[i]).as(at + "GLCM, batched, " + dir).containsExactly(TextureMatrices.cooccurrence(g, dirs[i], z[0], z[1]));
                same(at + "GLRLM, batched, " + dir, runs[i], TextureMatrices.runLengths(g, dirs[i], z[0], z[1]));
            }
            assertThat(cuda.toneDifferenceCounts(g, z[0], z[1], threeD)).as(at + "NGTDM")
                    .containsExactly(TextureMatrices.toneDifferenceCounts(g, z[0], z[1], threeD));
            for (int alpha : new int[] {0, 1}) {
                same(at + "NGLDM alpha " + alpha, cuda.dependence(g, z[0], z[1], threeD, alpha), TextureMatrices.dependence(g, z[0], z[1], threeD, alpha));
            }
            SparseCounts zones = cuda.sizeZones(g, z[0], z[1], threeD);
            same(at + "GLSZM", zones, TextureMatrices.sizeZones(g, z[0], z[1], threeD));
            same(at + "GLSZM again", cuda.sizeZones(g, z[0], z[1], threeD), zones);
            same(at + "GLDZM", cuda.distanceZones(g, z[0], z[1], threeD), TextureMatrices.distanceZones(g, z[0], z[1], threeD));
        }
        // Every slice in one launch (2D and 2.5D aggregations): the same matrices as slice by slice.
        int[] all = java.util.stream.IntStream.range(0, c.nz()).filter(z -> g.count(z, z + 1) > 0).toArray();
        if (all.length > 0) {
            long[][][] glcms = cuda.cooccurrenceSlices(g, TextureMatrices.DIRECTIONS_2D, all);
            SparseCounts[][] runs = cuda.runLengthSlices(g, TextureMatrices.DIRECTIONS_2D, all);
            for (int k = 0; k < all.length; k++) {
                for (int d = 0; d < 4; d++) {
                    int[] dir = TextureMatrices.DIRECTIONS_2D[d];
                    String at = "slice " + all[k] + " " + java.util.Arrays.toString(dir);
                    assertThat(glcms[k][d]).as("GLCM, all slices, " + at).containsExactly(TextureMatrices.cooccurrence(g, dir, all[k], all[k] + 1));
                    same("GLRLM, all slices, " + at, runs[k][d], TextureMatrices.runLengths(g, dir, all[k], all[k] + 1));
                }
            }
            SparseCounts[] sizes = cuda.sizeZoneSlices(g, all), distances = cuda.distanceZoneSlices(g, all);
            for (int k = 0; k < all.length; k++) {
                same("GLSZM, all slices, slice " + all[k], sizes[k], TextureMatrices.sizeZones(g, all[k], all[k] + 1, false));
                same("GLDZM, all slices, slice " + all[k], distances[k], TextureMatrices.distanceZones(g, all[k], all[k] + 1, false));
            }
            long[][] tones = cuda.toneDifferenceCountSlices(g, all);
            SparseCounts[] deps = cuda.dependenceSlices(g, all, 1);
            for (int k = 0; k < all.length; k++) {
                assertThat(tones[k]).as("NGTDM, all slices, slice " + all[k]).containsExactly(TextureMatrices.toneDifferenceCounts(g, all[k], all[k] + 1, false));
                same("NGLDM, all slices, slice " + all[k], deps[k], TextureMatrices.dependence(g, all[k], all[k] + 1, false, 1));
            }
        }
        assertThat(cuda.metrics().cpuFallbacks()).as("nothing fell back to the CPU").isZero();
    }

    /**
     * The grid built on the device from a kept image (its levels written as an int16 image whose re-segmented voxels
     * lie above the range, its ellipsoid as label 1, in a larger volume): only each slice's count comes back, the
     * slab stays on the device, and every 3D matrix and every all-slices matrix built on it equals the CPU's on the
     * case's grid, before the grid's arrays are ever made; made on request, they are that grid's.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void aGridBuiltOnTheDeviceStaysThere(Case c) {
        LevelGrid g = grid(c);
        int pad = 3;
        var e = new io.hounsfield.core.Extent(c.nx() + 2 * pad, c.ny() + 2 * pad, c.nz() + 2 * pad);
        var geometry = new io.hounsfield.core.Geometry(e, new io.hounsfield.core.Vec3(0.8, 0.8, 2), new io.hounsfield.core.Vec3(0, 0, 0),
                io.hounsfield.core.Mat3.IDENTITY);
        var box = new io.hounsfield.core.IndexBox(pad, pad, pad, pad + c.nx(), pad + c.ny(), pad + c.nz());
        SplittableRandom r = new SplittableRandom(c.seed() + 1);
        try (io.hounsfield.core.Volume img = io.hounsfield.core.Volume.allocate(geometry, io.hounsfield.core.VoxelType.INT16);
             io.hounsfield.core.Mask mask = io.hounsfield.core.Mask.allocate(geometry)) {
            for (long i = 0; i < img.voxelCount(); i++) {
                img.set(i, r.nextInt(-50, 50));
            }
            for (int z = 0, k = 0; z < c.nz(); z++) {
                for (int y = 0; y < c.ny(); y++) {
                    for (int x = 0; x < c.nx(); x++, k++) {
                        if (g.morph()[k]) {
                            mask.set(x + pad, y + pad, z + pad, 1);
                            img.set(e.index(x + pad, y + pad, z + pad), g.levels()[k] > 0 ? g.levels()[k] : c.ng() + 5);
                        }
                    }
                }
            }
            cuda.keep(img, c.name());
            try {
                java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
                long down = cuda.metrics().snapshot().get("bytes_downloaded");
                LevelGrid d = cuda.levelGrid(img, mask, 1, box, 1, c.ng(), Binning.fixedBinSize(1, 1), c.ng(), () -> {
                    made.incrementAndGet();
                    return g;
                });
                assertThat(cuda.metrics().snapshot().get("bytes_downloaded") - down).as("bytes down: each slice's count").isEqualTo(8L * c.nz());
                assertThat(d.hasArrays()).as("arrays made").isFalse();
                for (int z = 0; z < c.nz(); z++) {
                    assertThat(d.count(z, z + 1)).as("slice %d's voxels", z).isEqualTo(g.count(z, z + 1));
                }
                long[][] glcms = cuda.cooccurrences(d, TextureMatrices.DIRECTIONS_3D, 0, c.nz());
                SparseCounts[] runs = cuda.runLengths(d, TextureMatrices.DIRECTIONS_3D, 0, c.nz());
                for (int i = 0; i < TextureMatrices.DIRECTIONS_3D.length; i++) {
                    int[] dir = TextureMatrices.DIRECTIONS_3D[i];
                    assertThat(glcms[i]).as("GLCM " + java.util.Arrays.toString(dir)).containsExactly(TextureMatrices.cooccurrence(g, dir, 0, c.nz()));
                    same("GLRLM " + java.util.Arrays.toString(dir), runs[i], TextureMatrices.runLengths(g, dir, 0, c.nz()));
                }
                assertThat(cuda.toneDifferenceCounts(d, 0, c.nz(), true)).as("NGTDM").containsExactly(TextureMatrices.toneDifferenceCounts(g, 0, c.nz(), true));
                same("NGLDM", cuda.dependence(d, 0, c.nz(), true, 1), TextureMatrices.dependence(g, 0, c.nz(), true, 1));
                same("GLSZM", cuda.sizeZones(d, 0, c.nz(), true), TextureMatrices.sizeZones(g, 0, c.nz(), true));
                same("GLDZM", cuda.distanceZones(d, 0, c.nz(), true), TextureMatrices.distanceZones(g, 0, c.nz(), true));
                int[] all = java.util.stream.IntStream.range(0, c.nz()).filter(z -> g.count(z, z + 1) > 0).toArray();
                if (all.length > 0) {
                    long[][][] slices = cuda.cooccurrenceSlices(d, TextureMatrices.DIRECTIONS_2D, all);
                    SparseCounts[] sizes = cuda.sizeZoneSlices(d, all);
                    for (int k = 0; k < all.length; k++) {
                        int[] dir = TextureMatrices.DIRECTIONS_2D[k % 4];
                        assertThat(slices[k][k % 4]).as("GLCM, slice " + all[k]).containsExactly(TextureMatrices.cooccurrence(g, dir, all[k], all[k] + 1));
                        same("GLSZM, slice " + all[k], sizes[k], TextureMatrices.sizeZones(g, all[k], all[k] + 1, false));
                    }
                }
                assertThat(made).as("host grids made").hasValue(0);
                assertThat(java.util.Arrays.mismatch(d.levels(), g.levels())).as("the grid's levels: first difference").isEqualTo(-1);
                assertThat(made).hasValue(1);
            } finally {
                cuda.release(img);
            }
        }
        assertThat(cuda.metrics().cpuFallbacks()).as("nothing fell back to the CPU").isZero();
    }
}
