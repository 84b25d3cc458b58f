package io.hounsfield.radiomics.features;

import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class EigenTest {

    /** R · diag(l) · Rᵀ for a rotation R. */
    private static double[][] rotated(double[] l, Mat3 r) {
        double[][] a = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 3; k++) {
                    a[i][j] += r.get(i, k) * l[k] * r.get(j, k);
                }
            }
        }
        return a;
    }

    @Test
    void eigenvaluesOfRotatedDiagonalsIncludingNearlyEqualOnes() {
        SplittableRandom rnd = new SplittableRandom(9);
        double[][] cases = {{30, 20, 10}, {25, 25 + 1e-9, 12}, {40, 40, 40 + 1e-11}, {1e-6, 5e3, 5e3 * (1 + 1e-12)}, {7, 7, 7}, {3, 0, 0}};
        for (double[] l : cases) {
            for (int rep = 0; rep < 20; rep++) {
                Mat3 r = Mat3.rotation(new Vec3(rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian()), rnd.nextDouble() * Math.PI);
                double[] e = Eigen.symmetric3(rotated(l, r));
                double[] want = l.clone();
                java.util.Arrays.sort(want);
                double scale = Math.abs(want[2]);
                assertThat(e[0]).isCloseTo(want[2], within(1e-13 * scale));
                assertThat(e[1]).isCloseTo(want[1], within(1e-13 * scale));
                assertThat(e[2]).isCloseTo(want[0], within(1e-13 * scale));
            }
        }
    }
}
