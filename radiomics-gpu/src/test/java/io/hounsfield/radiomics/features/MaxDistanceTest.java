package io.hounsfield.radiomics.features;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The pruned search for the largest pairwise distance against trying every pair. */
class MaxDistanceTest {

    @Test
    void equalsTheLargestDistanceOverEveryPair() {
        SplittableRandom r = new SplittableRandom(20261129);
        for (int round = 0; round < 60; round++) {
            int n = 1 + r.nextInt(round < 20 ? 80 : 3000);
            double[] p = new double[3 * (n + 5)];
            int[] idx = new int[n];
            for (int t = 0; t < n; t++) {
                idx[t] = t; // the points after these are far away and must not count
                double x = r.nextGaussian(), y = r.nextGaussian(), z = r.nextGaussian();
                switch (round % 4) {
                    case 0 -> { // on a sphere: every pair of cells is nearly as far apart as the diameter
                        double l = Math.sqrt(x * x + y * y + z * z);
                        x /= l;
                        y /= l;
                        z /= l;
                    }
                    case 1 -> z = 0; // flat: one axis has no extent
                    case 2 -> { // lattice points, many ties
                        x = Math.rint(4 * x);
                        y = Math.rint(4 * y);
                        z = Math.rint(2 * z);
                    }
                    default -> x *= 30; // elongated
                }
                p[3 * t] = 10 * x + 500;
                p[3 * t + 1] = 7 * y - 20;
                p[3 * t + 2] = 2.5 * z;
            }
            for (int t = n; t < n + 5; t++) {
                p[3 * t] = 1e6 * (t + 1); // far away, and not among idx
            }
            double want = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double dx = p[3 * i] - p[3 * j], dy = p[3 * i + 1] - p[3 * j + 1], dz = p[3 * i + 2] - p[3 * j + 2];
                    want = Math.max(want, dx * dx + dy * dy + dz * dz);
                }
            }
            assertThat(Morphology.maxDistance(p, idx)).as("round %d, %d points", round, n).isEqualTo(Math.sqrt(want));
        }
    }
}
