package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The masked reductions, range mask, discretisation and histogram of the CPU backend, against plain loops. */
class VoxelOpsTest {

    private static final Geometry G = Geometry.axisAligned(new Extent(17, 13, 9), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO);

    private static Volume image(VoxelType t, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Volume v = Volume.allocate(G, t);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, t == VoxelType.FLOAT32 ? r.nextGaussian() * 300 : r.nextInt(-1024, 2000));
        }
        return v;
    }

    private static Mask mask(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Mask m = Mask.allocate(G);
        for (long i = 0; i < m.asVolume().voxelCount(); i++) {
            m.set(i, r.nextInt(3));
        }
        return m;
    }

    @Test
    void opsMatchPlainLoopsOnOneThreadAndMany() {
        try (var pool = Executors.newFixedThreadPool(3); Volume img = image(VoxelType.INT16, 1); Mask m = mask(2)) {
            for (CpuBackend b : new CpuBackend[] {CpuBackend.sequential(), new CpuBackend(pool, 5)}) {
                long n = 0;
                double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
                for (long i = 0; i < img.voxelCount(); i++) {
                    if (m.label(i) == 2) {
                        double v = img.get(i);
                        n++;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        sum += v;
                        sq += v * v;
                    }
                }
                // Integer data: every sum is exact, whatever the order.
                assertThat(b.moments(img, m, 2)).isEqualTo(new Moments(n, min, max, sum, sq));

                try (Mask r = b.rangeMask(img, m, 2, -100, 300)) {
                    for (long i = 0; i < img.voxelCount(); i++) {
                        boolean in = m.label(i) == 2 && img.get(i) >= -100 && img.get(i) <= 300;
                        assertThat(r.label(i)).isEqualTo(in ? 1 : 0);
                    }
                }
                try (Mask r = b.rangeMask(img, m, 2, Double.NaN, 0)) {
                    for (long i = 0; i < img.voxelCount(); i++) {
                        assertThat(r.label(i)).isEqualTo(m.label(i) == 2 && img.get(i) <= 0 ? 1 : 0);
                    }
                }
                for (Binning bin : new Binning[] {Binning.fixedBinNumber(min, max, 32), Binning.fixedBinSize(-1000, 25)}) {
                    try (Volume levels = b.discretise(img, m, 2, bin)) {
                        long[] expected = new long[200];
                        for (long i = 0; i < img.voxelCount(); i++) {
                            int g = m.label(i) == 2 ? bin.level(img.get(i)) : 0;
                            assertThat(levels.getInt(i)).isEqualTo(g);
                            if (g >= 1 && g <= 200) {
                                expected[g - 1]++;
                            }
                        }
                        assertThat(b.histogram(levels, 200)).containsExactly(expected);
                    }
                }
            }
        }
    }

    @Test
    void clipClampsAndCropCopies() {
        try (Volume img = image(VoxelType.INT16, 6); Volume c = CpuBackend.sequential().clip(img, -100, Double.NaN);
             Volume k = CpuBackend.sequential().crop(img, new io.hounsfield.core.IndexBox(2, 3, 4, 9, 8, 7))) {
            assertThat(c.type()).isEqualTo(VoxelType.FLOAT32);
            for (long i = 0; i < img.voxelCount(); i++) {
                assertThat(c.get(i)).isEqualTo(Math.max(-100, img.get(i)));
            }
            assertThat(k.get(0, 0, 0)).isEqualTo(img.get(2, 3, 4));
            assertThat(k.extent()).isEqualTo(new Extent(7, 5, 3));
        }
    }

    @Test
    void binningFollowsIbsi() {
        // IBSI 2.7: fixed bin number, Ng = 4 over [0, 8]: 0 → 1, 1.99 → 1, 2 → 2, 8 → 4 (the maximum maps to Ng).
        Binning fbn = Binning.fixedBinNumber(0, 8, 4);
        assertThat(new int[] {fbn.level(0), fbn.level(1.99), fbn.level(2), fbn.level(8)}).containsExactly(1, 1, 2, 4);
        // Fixed bin size 25 from -1000: -1000 → 1, -975.01 → 1, -975 → 2.
        Binning fbs = Binning.fixedBinSize(-1000, 25);
        assertThat(new int[] {fbs.level(-1000), fbs.level(-975.01), fbs.level(-975)}).containsExactly(1, 1, 2);
        assertThat(Binning.fixedBinNumber(5, 5, 8).level(5)).isEqualTo(1);
        assertThatThrownBy(() -> Binning.fixedBinSize(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Binning.fixedBinNumber(3, 1, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void floatSumsDoNotDependOnTheThreadCount() {
        try (var pool = Executors.newFixedThreadPool(4); Volume img = image(VoxelType.FLOAT32, 3); Mask m = mask(4)) {
            assertThat(new CpuBackend(pool, 7).moments(img, m, 1)).isEqualTo(CpuBackend.sequential().moments(img, m, 1));
        }
    }

    @Test
    void histogramsNeedGreyLevels() {
        try (Volume img = image(VoxelType.INT16, 5)) {
            assertThatThrownBy(() -> CpuBackend.sequential().histogram(img, 10))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int32");
        }
    }
}
