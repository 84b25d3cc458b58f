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
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double[] means = backend.sphereMeans(image, roi.indices(), RADIUS_MM);
        double local = Double.NEGATIVE_INFINITY, global = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.length; i++) {
            global = Math.max(global, means[i]);
            if (x[i] == max) {
                local = Math.max(local, means[i]);
            }
        }
        return List.of(new FeatureValue("VJGA", FAMILY, "Local intensity peak", "3D", local, unit),
                new FeatureValue("0F91", FAMILY, "Global intensity peak", "3D", global, unit));
    }
}
