package io.hounsfield.testvolumes;

import io.hounsfield.core.Vec3;

/**
 * What mathematics says about one labelled region of a phantom, independent of any voxelisation:
 * the continuous shape's volume (mm³), surface area (mm²) and centroid (LPS, mm), and the expected
 * mean intensity of its voxels (noise has zero mean).
 */
public record RoiTruth(int label, String name, double volumeMm3, double surfaceAreaMm2, Vec3 centroid, double meanIntensity) {
}
