package io.hounsfield.radiomics.features;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ConvexHullTest {

    @Test
    void cubeCornersWithInteriorPointsGiveTheCube() {
        SplittableRandom r = new SplittableRandom(1);
        int interior = 2000;
        double[] p = new double[3 * (8 + interior)];
        for (int k = 0; k < 8; k++) {
            p[3 * k] = 2 * (k & 1);
            p[3 * k + 1] = 3 * (k >> 1 & 1);
            p[3 * k + 2] = 5 * (k >> 2 & 1);
        }
        for (int i = 8; i < 8 + interior; i++) {
            p[3 * i] = 2 * r.nextDouble();
            p[3 * i + 1] = 3 * r.nextDouble();
            p[3 * i + 2] = 5 * r.nextDouble();
        }
        ConvexHull h = ConvexHull.of(p);
        assertThat(h.volume()).isCloseTo(30, within(1e-9));
        assertThat(h.area()).isCloseTo(2 * (6 + 10 + 15), within(1e-9));
        assertThat(h.vertices()).hasSize(8);
    }

    @Test
    void pointsOnASphereApproachTheSphere() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 20000;
        double[] p = new double[3 * n];
        for (int i = 0; i < n; i++) {
            double z = 2 * r.nextDouble() - 1, t = 2 * Math.PI * r.nextDouble(), s = Math.sqrt(1 - z * z);
            p[3 * i] = 10 * s * Math.cos(t);
            p[3 * i + 1] = 10 * s * Math.sin(t);
            p[3 * i + 2] = 10 * z;
        }
        ConvexHull h = ConvexHull.of(p);
        assertThat(h.volume()).isCloseTo(4.0 / 3 * Math.PI * 1000, within(0.01 * 4.0 / 3 * Math.PI * 1000));
        assertThat(h.area()).isCloseTo(4 * Math.PI * 100, within(0.01 * 4 * Math.PI * 100));
        assertThat(h.vertices().length).isEqualTo(n); // every point of a sphere is on its hull
    }

    @Test
    void flatSetsHaveNoHull() {
        double[] p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0.5, 0.5, 0};
        assertThat(ConvexHull.of(p).volume()).isZero();
    }
}
