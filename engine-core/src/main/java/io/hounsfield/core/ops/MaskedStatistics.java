package io.hounsfield.core.ops;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;

/**
 * Intensity statistics of the voxels of one label: count, min, max, mean and (population) standard
 * deviation, accumulated in double with a compensated sum, in index order, so the result does not
 * depend on the machine. Units are the image's (HU for CT).
 *
 * @param count voxels with the label
 * @param volumeMm3 {@code count} × voxel volume
 */
public record MaskedStatistics(int label, long count, double volumeMm3, double min, double max, double mean, double stdDev) {

    /**
     * @throws IllegalArgumentException if image and mask are not on the same grid or the label is absent
     */
    public static MaskedStatistics of(Volume image, Mask mask, int label) {
        if (!image.geometry().sameGrid(mask.geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.geometry().extent() + " and mask " + mask.geometry().extent()
                    + " are not on the same grid");
        }
        long n = image.voxelCount(), count = 0;
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        // Two passes: mean first, then the sum of squared deviations (numerically stable for CT's large offsets).
        double sum = 0, comp = 0;
        for (long i = 0; i < n; i++) {
            if (mask.label(i) == label) {
                double v = image.get(i);
                count++;
                min = Math.min(min, v);
                max = Math.max(max, v);
                double y = v - comp, t = sum + y;
                comp = (t - sum) - y;
                sum = t;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("label " + label + " is absent from the mask");
        }
        double mean = sum / count, ss = 0;
        for (long i = 0; i < n; i++) {
            if (mask.label(i) == label) {
                double d = image.get(i) - mean;
                ss += d * d;
            }
        }
        return new MaskedStatistics(label, count, count * image.geometry().voxelVolume(), min, max, mean, Math.sqrt(ss / count));
    }
}
