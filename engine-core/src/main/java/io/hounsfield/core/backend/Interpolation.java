package io.hounsfield.core.backend;

/** Image interpolation for resampling (IBSI §2.3). */
public enum Interpolation {
    /** The nearest voxel's value. */
    NEAREST,
    /** Trilinear. */
    TRILINEAR,
    /** Tricubic convolution (Keys, a = −0.5), separable over 4×4×4 voxels. */
    TRICUBIC
}
