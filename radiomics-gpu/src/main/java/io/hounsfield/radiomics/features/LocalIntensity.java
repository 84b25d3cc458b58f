package io.hounsfield.radiomics.features;

import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.radiomics.FeatureValue;

import java.util.List;

/**
 * IBSI §3.2, local intensity features: the mean intensity in a 1 cm³ sphere (radius (3/4π)^{1/3} cm ≈
 * 6.2 mm, voxel centres within it, image voxels inside or outside the ROI) around ROI voxels. The local
 * peak is that mean at the ROI's maximum-intensity voxel (the largest, if several share the maximum);
 * the global peak is the largest such mean over all ROI voxels.
 */
public final class LocalIntensity {

    public static final String FAMILY = "local intensity";
    /** Radius of a sphere of 1 cm³, in mm. */
    public static final double RADIUS_MM = 10 * Math.cbrt(3 / (4 * Math.PI));

    private LocalIntensity() {
    }

    public static List<FeatureValue> compute(Volume image, RoiSample roi, ComputeBackend backend, String unit) {
        double[] x = roi.intensities();
        return features(ComputeBackend.peaks(x, x.length == 0 ? new double[0] : backend.sphereMeans(image, roi.indices(), RADIUS_MM)), unit);
    }

    /** The two features from {local peak, global peak} ({@link ComputeBackend#intensityPeaks}). */
    public static List<FeatureValue> features(double[] peaks, String unit) {
        return List.of(new FeatureValue("VJGA", FAMILY, "Local intensity peak", "3D", peaks[0], unit),
                new FeatureValue("0F91", FAMILY, "Global intensity peak", "3D", peaks[1], unit));
    }
}
