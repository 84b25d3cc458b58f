package io.hounsfield.testvolumes;

import io.hounsfield.core.Vec3;

/** An axis-aligned box with edges {@code size} (mm) about {@code center}; a cube when the edges are equal. */
public record Cuboid(Vec3 center, Vec3 size) implements Shape {

    public Cuboid {
        if (!(size.x() > 0 && size.y() > 0 && size.z() > 0)) {
            throw new IllegalArgumentException("edges must be > 0, got " + size);
        }
    }

    public static Cuboid cube(Vec3 center, double edge) {
        return new Cuboid(center, new Vec3(edge, edge, edge));
    }

    @Override
    public boolean contains(Vec3 p) {
        Vec3 d = p.minus(center);
        return Math.abs(d.x()) <= size.x() / 2 && Math.abs(d.y()) <= size.y() / 2 && Math.abs(d.z()) <= size.z() / 2;
    }

    @Override
    public double volume() {
        return size.x() * size.y() * size.z();
    }

    @Override
    public double surfaceArea() {
        return 2 * (size.x() * size.y() + size.y() * size.z() + size.x() * size.z());
    }

    @Override
    public Vec3 centroid() {
        return center;
    }

    @Override
    public double boundingRadius() {
        return Math.max(size.x(), Math.max(size.y(), size.z())) / 2;
    }
}
