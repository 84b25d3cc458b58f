package io.hounsfield.core.backend;

/**
 * The voxels of one ROI label: their intensities and linear indices ({@code x + nx*(y + ny*z)}), both
 * in ascending index order, so the sample is the same whoever produced it.
 */
public record RoiSample(double[] intensities, long[] indices) {

    public RoiSample {
        if (intensities.length != indices.length) {
            throw new IllegalArgumentException(intensities.length + " intensities for " + indices.length + " indices");
        }
    }

    public int size() {
        return intensities.length;
    }
}
