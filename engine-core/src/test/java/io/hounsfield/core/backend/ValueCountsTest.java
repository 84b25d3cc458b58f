package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ValueCountsTest {

    /** The sorted multiset the counts stand for, written out. */
    private static double[] expand(ValueCounts vc) {
        double[] out = new double[Math.toIntExact(vc.total())];
        int k = 0;
        for (int i = 0; i < vc.distinct(); i++) {
            for (long c = 0; c < vc.counts()[i]; c++) {
                out[k++] = vc.values()[i];
            }
        }
        return out;
    }

    @Test
    void countedAndSortedPathsBothGiveTheSortedMultiset() {
        SplittableRandom r = new SplittableRandom(5);
        double[] integral = r.ints(5000, -1024, 3000).asDoubleStream().toArray();
        double[] wide = r.ints(50, -2_000_000, 2_000_000).asDoubleStream().toArray(); // too wide a range to count
        double[] real = r.doubles(3000, -5, 5).map(v -> Math.rint(v * 4) / 4).toArray(); // repeats, not integers
        for (double[] x : new double[][] {integral, wide, real, {7}, {}}) {
            ValueCounts vc = ValueCounts.of(x);
            double[] sorted = Arrays.stream(x).map(v -> v + 0.0).sorted().toArray(); // −0.0 is 0.0
            assertThat(expand(vc)).containsExactly(sorted);
            for (int i = 1; i < vc.distinct(); i++) {
                assertThat(vc.values()[i]).isGreaterThan(vc.values()[i - 1]);
            }
            assertThat(Arrays.stream(vc.counts()).min().orElse(1)).isPositive();
            for (int rank = 0; rank < sorted.length; rank += 97) {
                assertThat(vc.atRank(rank)).isEqualTo(sorted[rank]);
            }
        }
        assertThat(ValueCounts.ofDense(new long[] {0, 3, 0, 1}, -2)).isEqualTo(new ValueCounts(new double[] {-1, 1}, new long[] {3, 1}));
    }

    @Test
    void theBackendCountsTheIntensityMasksValues() {
        Geometry g = Geometry.axisAligned(new Extent(11, 9, 7), new Vec3(1, 1, 2), Vec3.ZERO);
        SplittableRandom r = new SplittableRandom(8);
        try (Volume img = Volume.allocate(g, VoxelType.INT16); Mask m = Mask.allocate(g)) {
            for (long i = 0; i < img.voxelCount(); i++) {
                img.set(i, r.nextInt(-50, 50));
                m.set(i, r.nextInt(3));
            }
            IndexBox box = m.boundingBox(2).orElseThrow();
            ValueCounts vc = CpuBackend.sequential().valueCounts(img, m, 2, box, -20, Double.NaN);
            double[] want = new double[0];
            for (long i = 0; i < img.voxelCount(); i++) {
                if (m.label(i) == 2 && img.get(i) >= -20) {
                    want = Arrays.copyOf(want, want.length + 1);
                    want[want.length - 1] = img.get(i);
                }
            }
            Arrays.sort(want);
            assertThat(expand(vc)).containsExactly(want);
        }
    }

    /** Cutting counts to a range keeps exactly the values in it (a NaN bound is none), and the same object when nothing is cut. */
    @Test
    void betweenKeepsTheValuesInTheRange() {
        ValueCounts vc = ValueCounts.of(new double[] {-3, -1, -1, 0, 2, 2, 2, 7.5});
        assertThat(vc.between(-1, 2).values()).containsExactly(-1, 0, 2);
        assertThat(vc.between(-1, 2).counts()).containsExactly(2, 1, 3);
        assertThat(vc.between(-0.5, 1.5).values()).containsExactly(0);
        assertThat(vc.between(3, 7).total()).isZero();
        assertThat(vc.between(Double.NaN, 0).values()).containsExactly(-3, -1, 0);
        assertThat(vc.between(Double.NEGATIVE_INFINITY, Double.NaN)).isSameAs(vc);
    }
}
