package io.hounsfield.testvolumes;

import io.hounsfield.core.Vec3;

/** A solid with closed-form (or numerically exact) volume, surface area and centroid. */
public interface Shape extends Region {

    /** Volume in mm³. */
    double volume();

    /** Surface area in mm². */
    double surfaceArea();

    /** Centroid (world, LPS, mm). */
    Vec3 centroid();

    /** Half the edge of an axis-aligned cube about the centroid that contains the shape, in mm. */
    double boundingRadius();
}
