package io.hounsfield.testvolumes;

import io.hounsfield.core.Vec3;

/** A set of world points (LPS, mm); a voxel belongs to it when its centre does. */
@FunctionalInterface
public interface Region {

    boolean contains(Vec3 p);

    default Region minus(Region other) {
        return p -> contains(p) && !other.contains(p);
    }
}
