package io.hounsfield.testvolumes;

import io.hounsfield.core.Vec3;

/** A ball of radius {@code radius} mm: V = 4/3·π·r³, A = 4·π·r². */
public record Sphere(Vec3 center, double radius) implements Shape {

    public Sphere {
        if (!(radius > 0)) {
            throw new IllegalArgumentException("radius must be > 0, got " + radius);
        }
    }

    @Override
    public boolean contains(Vec3 p) {
        Vec3 d = p.minus(center);
        return d.dot(d) <= radius * radius;
    }

    @Override
    public double volume() {
        return 4.0 / 3.0 * Math.PI * radius * radius * radius;
    }

    @Override
    public double surfaceArea() {
        return 4 * Math.PI * radius * radius;
    }

    @Override
    public Vec3 centroid() {
        return center;
    }

    @Override
    public double boundingRadius() {
        return radius;
    }
}
