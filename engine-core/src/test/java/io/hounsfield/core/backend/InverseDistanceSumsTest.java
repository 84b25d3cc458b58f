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

    /**
     * The device's contract: a backend that computes each row's terms as hf_inverse_distance_rows does (this
     * is its transcription) and adds them with {@link CpuBackend#foldRows} gets the CPU's doubles exactly.
     */
    @Test
    void rowTermsFoldedInTheCpusOrderGiveTheCpusBits() {
        for (int m : new int[] {2, 3, 1601, 3000}) {
            SplittableRandom r = new SplittableRandom(31 * m);
            double[] p = new double[3 * m], x = new double[m];
            for (int i = 0; i < m; i++) {
                p[3 * i] = (i % 37) * 0.77;
                p[3 * i + 1] = (i / 37 % 41) * 0.77;
                p[3 * i + 2] = (i / (37 * 41)) * 3.0;
                x[i] = -500 + 900 * r.nextDouble();
            }
            double mean = 3.25;
            double[] rows = new double[3 * m];
            for (int i = 0; i < m; i++) {
                double xi = x[i], ax = p[3 * i], ay = p[3 * i + 1], az = p[3 * i + 2];
                double w0 = 0, m0 = 0, g0 = 0, w1 = 0, m1 = 0, g1 = 0;
                int j = i + 1;
                for (; j + 1 < m; j += 2) {
                    double wa = w(p, ax, ay, az, j), wb = w(p, ax, ay, az, j + 1);
                    double xa = x[j], xb = x[j + 1], da = xi - xa, db = xi - xb;
                    w0 += wa;
                    m0 += wa * (xa - mean);
                    g0 += wa * da * da;
                    w1 += wb;
                    m1 += wb * (xb - mean);
                    g1 += wb * db * db;
                }
                if (j < m) {
                    double wj = w(p, ax, ay, az, j), d = xi - x[j];
                    w0 += wj;
                    m0 += wj * (x[j] - mean);
                    g0 += wj * d * d;
                }
                rows[i] = w0 + w1;
                rows[m + i] = (xi - mean) * (m0 + m1);
                rows[2 * m + i] = g0 + g1;
            }
            try (var pool = Executors.newFixedThreadPool(2)) {
                assertThat(CpuBackend.foldRows(rows, m)).as("m %d", m).containsExactly(new CpuBackend(pool, 4).inverseDistanceSums(p, x, mean));
            }
        }
    }

    private static double w(double[] p, double ax, double ay, double az, int j) {
        double ex = ax - p[3 * j], ey = ay - p[3 * j + 1], ez = az - p[3 * j + 2];
        return 1 / Math.sqrt(ex * ex + ey * ey + ez * ez);
    }

    @Test
    void coordinatesMustMatchValues() {
        assertThatThrownBy(() -> CpuBackend.sequential().inverseDistanceSums(new double[5], new double[2], 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6");
    }
}
