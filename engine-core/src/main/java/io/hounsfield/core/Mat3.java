package io.hounsfield.core;

/**
 * An immutable 3×3 matrix, row-major ({@code mRC} is row R, column C). As a direction matrix (see
 * {@link Geometry}) its columns are the world (LPS) unit vectors of the index axes i, j and k, the
 * convention of ITK's {@code Image::GetDirection()}.
 */
public record Mat3(double m00, double m01, double m02,
                   double m10, double m11, double m12,
                   double m20, double m21, double m22) {

    public static final Mat3 IDENTITY = new Mat3(1, 0, 0, 0, 1, 0, 0, 0, 1);

    public static Mat3 fromColumns(Vec3 c0, Vec3 c1, Vec3 c2) {
        return new Mat3(c0.x(), c1.x(), c2.x(), c0.y(), c1.y(), c2.y(), c0.z(), c1.z(), c2.z());
    }

    public static Mat3 diagonal(double a, double b, double c) {
        return new Mat3(a, 0, 0, 0, b, 0, 0, 0, c);
    }

    /** Rotation by {@code radians} about the unit axis {@code u} (right-handed, Rodrigues' formula). */
    public static Mat3 rotation(Vec3 u, double radians) {
        Vec3 n = u.times(1 / u.norm());
        double c = Math.cos(radians), s = Math.sin(radians), t = 1 - c;
        return new Mat3(
                t * n.x() * n.x() + c, t * n.x() * n.y() - s * n.z(), t * n.x() * n.z() + s * n.y(),
                t * n.x() * n.y() + s * n.z(), t * n.y() * n.y() + c, t * n.y() * n.z() - s * n.x(),
                t * n.x() * n.z() - s * n.y(), t * n.y() * n.z() + s * n.x(), t * n.z() * n.z() + c);
    }

    public Vec3 column(int c) {
        return switch (c) {
            case 0 -> new Vec3(m00, m10, m20);
            case 1 -> new Vec3(m01, m11, m21);
            case 2 -> new Vec3(m02, m12, m22);
            default -> throw new IndexOutOfBoundsException("column " + c);
        };
    }

    public double get(int r, int c) {
        return switch (r * 3 + c) {
            case 0 -> m00; case 1 -> m01; case 2 -> m02;
            case 3 -> m10; case 4 -> m11; case 5 -> m12;
            case 6 -> m20; case 7 -> m21; case 8 -> m22;
            default -> throw new IndexOutOfBoundsException("(" + r + ", " + c + ")");
        };
    }

    public Vec3 times(Vec3 v) {
        return new Vec3(m00 * v.x() + m01 * v.y() + m02 * v.z(),
                m10 * v.x() + m11 * v.y() + m12 * v.z(),
                m20 * v.x() + m21 * v.y() + m22 * v.z());
    }

    public Mat3 times(Mat3 o) {
        return fromColumns(times(o.column(0)), times(o.column(1)), times(o.column(2)));
    }

    public Mat3 transpose() {
        return new Mat3(m00, m10, m20, m01, m11, m21, m02, m12, m22);
    }

    public double determinant() {
        return m00 * (m11 * m22 - m12 * m21) - m01 * (m10 * m22 - m12 * m20) + m02 * (m10 * m21 - m11 * m20);
    }

    /** @throws ArithmeticException if the matrix is singular */
    public Mat3 inverse() {
        double det = determinant();
        if (det == 0 || !Double.isFinite(det)) {
            throw new ArithmeticException("singular matrix " + this);
        }
        double f = 1 / det;
        return new Mat3(
                (m11 * m22 - m12 * m21) * f, (m02 * m21 - m01 * m22) * f, (m01 * m12 - m02 * m11) * f,
                (m12 * m20 - m10 * m22) * f, (m00 * m22 - m02 * m20) * f, (m02 * m10 - m00 * m12) * f,
                (m10 * m21 - m11 * m20) * f, (m01 * m20 - m00 * m21) * f, (m00 * m11 - m01 * m10) * f);
    }

    /** True if the columns are unit length and mutually orthogonal within {@code tol}. */
    public boolean isOrthonormal(double tol) {
        Mat3 p = transpose().times(this);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                if (!(Math.abs(p.get(r, c) - (r == c ? 1 : 0)) <= tol)) {
                    return false;
                }
            }
        }
        return true;
    }

    public boolean approxEquals(Mat3 o, double tol) {
        for (int i = 0; i < 9; i++) {
            if (!(Math.abs(get(i / 3, i % 3) - o.get(i / 3, i % 3)) <= tol)) {
                return false;
            }
        }
        return true;
    }
}
