package io.hounsfield.testvolumes;

import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;

/**
 * An ellipsoid with semi-axes a, b, c (mm) along the columns of {@code rotation}. Volume is
 * 4/3·π·a·b·c; the surface area has no elementary closed form and is integrated numerically to
 * ~1e-10 relative ({@link #surfaceArea()}).
 */
public record Ellipsoid(Vec3 center, double a, double b, double c, Mat3 rotation) implements Shape {

    public Ellipsoid {
        if (!(a > 0 && b > 0 && c > 0)) {
            throw new IllegalArgumentException("semi-axes must be > 0, got " + a + ", " + b + ", " + c);
        }
        if (!rotation.isOrthonormal(1e-9)) {
            throw new IllegalArgumentException("rotation is not orthonormal: " + rotation);
        }
    }

    public static Ellipsoid axisAligned(Vec3 center, double a, double b, double c) {
        return new Ellipsoid(center, a, b, c, Mat3.IDENTITY);
    }

    @Override
    public boolean contains(Vec3 p) {
        Vec3 d = rotation.transpose().times(p.minus(center));
        return (d.x() / a) * (d.x() / a) + (d.y() / b) * (d.y() / b) + (d.z() / c) * (d.z() / c) <= 1;
    }

    @Override
    public double volume() {
        return 4.0 / 3.0 * Math.PI * a * b * c;
    }

    /**
     * ∫∫ |∂r/∂u × ∂r/∂φ| du dφ over u = cos θ ∈ [−1, 1], φ ∈ [0, 2π), for
     * r = (a·√(1−u²)·cos φ, b·√(1−u²)·sin φ, c·u): the integrand
     * √(b²c²(1−u²)cos²φ + a²c²(1−u²)sin²φ + a²b²u²) is smooth, so composite Simpson in u and the
     * trapezoid rule in the periodic φ converge fast.
     */
    @Override
    public double surfaceArea() {
        int nu = 2000, nphi = 720;
        double hu = 2.0 / nu, hphi = 2 * Math.PI / nphi;
        double a2 = a * a, b2 = b * b, c2 = c * c, sum = 0;
        for (int j = 0; j < nphi; j++) {
            double phi = j * hphi, cos2 = Math.cos(phi) * Math.cos(phi), sin2 = 1 - cos2;
            double inner = 0;
            for (int i = 0; i <= nu; i++) {
                double u = -1 + i * hu, s = 1 - u * u;
                double f = Math.sqrt(b2 * c2 * s * cos2 + a2 * c2 * s * sin2 + a2 * b2 * u * u);
                inner += f * (i == 0 || i == nu ? 1 : (i % 2 == 1 ? 4 : 2));
            }
            sum += inner * hu / 3;
        }
        return sum * hphi;
    }

    @Override
    public Vec3 centroid() {
        return center;
    }

    @Override
    public double boundingRadius() {
        return Math.max(a, Math.max(b, c));
    }
}
