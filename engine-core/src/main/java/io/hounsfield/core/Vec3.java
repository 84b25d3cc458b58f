package io.hounsfield.core;

/**
 * An immutable 3-vector of doubles: a point or a direction in world space (LPS, millimetres), or a
 * per-axis quantity such as voxel spacing.
 */
public record Vec3(double x, double y, double z) {

    public static final Vec3 ZERO = new Vec3(0, 0, 0);

    public static Vec3 of(double x, double y, double z) {
        return new Vec3(x, y, z);
    }

    public Vec3 plus(Vec3 o) {
        return new Vec3(x + o.x, y + o.y, z + o.z);
    }

    public Vec3 minus(Vec3 o) {
        return new Vec3(x - o.x, y - o.y, z - o.z);
    }

    public Vec3 times(double s) {
        return new Vec3(x * s, y * s, z * s);
    }

    /** Component-wise product. */
    public Vec3 times(Vec3 o) {
        return new Vec3(x * o.x, y * o.y, z * o.z);
    }

    public double dot(Vec3 o) {
        return x * o.x + y * o.y + z * o.z;
    }

    public Vec3 cross(Vec3 o) {
        return new Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x);
    }

    public double norm() {
        return Math.sqrt(dot(this));
    }

    public double get(int axis) {
        return switch (axis) {
            case 0 -> x;
            case 1 -> y;
            case 2 -> z;
            default -> throw new IndexOutOfBoundsException("axis " + axis + " is not 0, 1 or 2");
        };
    }

    public boolean isFinite() {
        return Double.isFinite(x) && Double.isFinite(y) && Double.isFinite(z);
    }

    /** "(x, y, z)" with up to 6 significant digits. */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "(%.6g, %.6g, %.6g)", x, y, z).replaceAll("(\\.\\d*?)0+(?=[,)e])", "$1").replace(".,", ",").replace(".)", ")").replace(".e", "e");
    }

    /** True if every component differs from {@code o}'s by at most {@code tol}. */
    public boolean approxEquals(Vec3 o, double tol) {
        return Math.abs(x - o.x) <= tol && Math.abs(y - o.y) <= tol && Math.abs(z - o.z) <= tol;
    }
}
