package io.hounsfield.core.backend;

/**
 * Count, minimum, maximum, sum and sum of squares (float64) of an image over the voxels of a label —
 * the masked reductions every backend provides. Integer images give exact sums while they stay below
 * 2^53; float sums agree between backends within 1e-9 relative (different summation orders).
 */
public record Moments(long count, double min, double max, double sum, double sumOfSquares) {

    /** Mean, NaN for no voxels. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }
}
