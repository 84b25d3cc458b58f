package io.hounsfield.core.backend;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class InverseDistanceSumsTest {

    /** Σ over ordered pairs i ≠ j of w, w·(xi − μ)(xj − μ), w·(xi − xj)², w = 1/|pi − pj|, written out. */
    private static double[] direct(double[] p, double[] x, double mean) {
        double[] s = new double[3];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                if (i != j) {
                    double w = 1 / Math.sqrt(Math.pow(p[3 * i] - p[3 * j], 2) + Math.pow(p[3 * i + 1] - p[3 * j + 1], 2)
                            + Math.pow(p[3 * i + 2] - p[3 * j + 2], 2));
                    s[0] += w;
                    s[1] += w * (x[i] - mean) * (x[j] - mean);
                    s[2] += w * (x[i] - x[j]) * (x[i] - x[j]);
                }
            }
        }
        return s;
    }

    @Test
    void matchTheDefinitionAndDoNotDependOnTheExecutor() {
        // 1600 points: 1.3 M pairs, more than one chunk; odd counts exercise the unrolled loop's tail.
        for (int m : new int[] {1, 2, 7, 1600}) {
            SplittableRandom r = new SplittableRandom(m);
            double[] p = new double[3 * m], x = new double[m];
            for (int i = 0; i < m; i++) {
                // distinct grid points of a 0.8 × 0.8 × 2.5 mm grid
                p[3 * i] = (i % 40) * 0.8;
                p[3 * i + 1] = (i / 40 % 40) * 0.8;
                p[3 * i + 2] = (i / 1600) * 2.5;
                x[i] = 100 + 20 * r.nextGaussian();
            }
            double mean = 100;
            double[] expected = direct(p, x, mean);
            double[] one = CpuBackend.sequential().inverseDistanceSums(p, x, mean);
            try (var pool = Executors.newFixedThreadPool(3)) {
                double[] three = new CpuBackend(pool, 5).inverseDistanceSums(p, x, mean);
                assertThat(three).containsExactly(one);
            }
            for (int k = 0; k < 3; k++) {
                assertThat(one[k]).as("m %d, sum %d", m, k).isCloseTo(expected[k], within(1e-9 * Math.max(1, Math.abs(expected[k]))));
            }
        }
    }

    @Test
    void coordinatesMustMatchValues() {
        assertThatThrownBy(() -> CpuBackend.sequential().inverseDistanceSums(new double[5], new double[2], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6");
    }
}
