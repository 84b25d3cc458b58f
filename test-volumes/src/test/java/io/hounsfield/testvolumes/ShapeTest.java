package io.hounsfield.testvolumes;

import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The analytic truths themselves, checked against closed forms from other derivations. */
class ShapeTest {

    @Test
    void ellipsoidAreaOfASphereIsFourPiRSquared() {
        Ellipsoid e = Ellipsoid.axisAligned(Vec3.ZERO, 7, 7, 7);
        assertThat(e.surfaceArea()).isCloseTo(4 * Math.PI * 49, within(1e-8 * 4 * Math.PI * 49));
        assertThat(e.volume()).isCloseTo(new Sphere(Vec3.ZERO, 7).volume(), within(1e-9));
    }

    @Test
    void ellipsoidAreaMatchesSpheroidClosedForms() {
        // Prolate (a = b < c): S = 2πa²(1 + c/(a e) · asin e), e² = 1 − a²/c².
        double a = 5, c = 12, e = Math.sqrt(1 - a * a / (c * c));
        double prolate = 2 * Math.PI * a * a * (1 + c / (a * e) * Math.asin(e));
        assertThat(Ellipsoid.axisAligned(Vec3.ZERO, a, a, c).surfaceArea()).isCloseTo(prolate, within(1e-8 * prolate));
        // Oblate (a = b > c): S = 2πa²(1 + (1 − e²)/e · atanh e), e² = 1 − c²/a².
        a = 12;
        c = 5;
        e = Math.sqrt(1 - c * c / (a * a));
        double atanh = 0.5 * Math.log((1 + e) / (1 - e));
        double oblate = 2 * Math.PI * a * a * (1 + (1 - e * e) / e * atanh);
        assertThat(Ellipsoid.axisAligned(Vec3.ZERO, a, a, c).surfaceArea()).isCloseTo(oblate, within(1e-8 * oblate));
    }

    @Test
    void triaxialEllipsoidAreaLiesBetweenKnownBounds() {
        // Thomsen's approximation (p = 1.6075) is within 1.061 % of the true area for every ellipsoid.
        double a = 30, b = 20, c = 10, p = 1.6075;
        double thomsen = 4 * Math.PI * Math.pow((Math.pow(a * b, p) + Math.pow(a * c, p) + Math.pow(b * c, p)) / 3, 1 / p);
        double s = new Ellipsoid(Vec3.ZERO, a, b, c, Mat3.rotation(new Vec3(1, 1, 1), 0.5)).surfaceArea();
        assertThat(Math.abs(s - thomsen) / s).isLessThan(0.01061);
    }

    @Test
    void rotatedEllipsoidContainsItsRotatedAxisEnds() {
        Mat3 r = Mat3.rotation(new Vec3(0, 0, 1), Math.PI / 2);
        Ellipsoid e = new Ellipsoid(new Vec3(1, 2, 3), 10, 2, 2, r);
        // The long axis now points along +y.
        assertThat(e.contains(new Vec3(1, 2 + 9.9, 3))).isTrue();
        assertThat(e.contains(new Vec3(1 + 9.9, 2, 3))).isFalse();
    }

    @Test
    void cubeTruth() {
        Cuboid c = Cuboid.cube(Vec3.ZERO, 3);
        assertThat(c.volume()).isEqualTo(27);
        assertThat(c.surfaceArea()).isEqualTo(54);
    }
}
