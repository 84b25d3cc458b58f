package io.hounsfield.radiomics.features;

import io.hounsfield.radiomics.FeatureValue;

import java.util.List;

/**
 * IBSI §3.5, intensity-volume histogram features. The IVH runs over the discretised intensities
 * i ∈ G = {g_min, g_min + w, ..., g_max} — every step of the range, present in the ROI or not — with
 * ν_i the fraction of ROI volume at intensity ≥ i and γ_i = (i − g_min)/(g_max − g_min).
 * V_x = ν at the lowest i with γ_i ≥ x; I_x = the lowest i with ν_i ≤ x.
 */
public final class IntensityVolumeHistogram {

    public static final String FAMILY = "intensity-volume histogram";

    private IntensityVolumeHistogram() {
    }

    /**
     * @param intensities ROI intensities, already discretised onto the grid g_min + k·w
     * @param gMin        lower bound of the IVH range (the re-segmentation lower bound, else the ROI minimum)
     * @param gMax        upper bound (the re-segmentation upper bound, else the ROI maximum)
     * @param w           discretisation step (1 for calibrated integer data such as HU)
     * @param unit        intensity unit
     */
    public static List<FeatureValue> compute(double[] intensities, double gMin, double gMax, double w, String unit) {
        long[] ones = new long[intensities.length];
        java.util.Arrays.fill(ones, 1);
        return compute(intensities, ones, gMin, gMax, w, unit);
    }

    /** As {@link #compute(double[], double, double, double, String)}, each intensity occurring {@code counts[i]} times. */
    public static List<FeatureValue> compute(double[] intensities, long[] counts, double gMin, double gMax, double w, String unit) {
        int levels = (int) Math.round((gMax - gMin) / w) + 1;
        if (levels < 2) {
            throw new IllegalArgumentException("the IVH needs at least two intensity levels, got [" + gMin + ", " + gMax + "]");
        }
        long[] count = new long[levels];
        long total = 0;
        for (int i = 0; i < intensities.length; i++) {
            int k = (int) Math.round((intensities[i] - gMin) / w);
            count[Math.max(0, Math.min(levels - 1, k))] += counts[i];
            total += counts[i];
        }
        double n = total;
        double[] nu = new double[levels]; // fraction at intensity >= level k
        long above = 0;
        for (int k = levels - 1; k >= 0; k--) {
            above += count[k];
            nu[k] = above / n;
        }
        double v10 = volumeAt(nu, 0.10), v90 = volumeAt(nu, 0.90);
        double i10 = gMin + w * intensityAt(nu, 0.10), i90 = gMin + w * intensityAt(nu, 0.90);
        // Area under the IVH curve (9CMM), trapezoidal over γ (IBSI gives no reference value).
        double auc = 0;
        for (int k = 1; k < levels; k++) {
            auc += (nu[k - 1] + nu[k]) / 2 / (levels - 1);
        }
        return List.of(
                new FeatureValue("BC2M", FAMILY, "Volume fraction at 10% intensity", "3D", v10, ""),
                new FeatureValue("BC2M", FAMILY, "Volume fraction at 90% intensity", "3D", v90, ""),
                new FeatureValue("GBPN", FAMILY, "Intensity at 10% volume", "3D", i10, unit),
                new FeatureValue("GBPN", FAMILY, "Intensity at 90% volume", "3D", i90, unit),
                new FeatureValue("DDTU", FAMILY, "Volume fraction difference between 10% and 90% intensity", "3D", v10 - v90, ""),
                new FeatureValue("CNV2", FAMILY, "Intensity difference between 10% and 90% volume", "3D", i10 - i90, unit),
                new FeatureValue("9CMM", FAMILY, "Area under the IVH curve", "3D", auc, ""));
    }

    /** ν at the lowest level whose intensity fraction is ≥ x. */
    private static double volumeAt(double[] nu, double x) {
        int levels = nu.length;
        for (int k = 0; k < levels; k++) {
            if ((double) k / (levels - 1) >= x - 1e-12) {
                return nu[k];
            }
        }
        return 0;
    }

    /** The lowest level index whose volume fraction is ≤ x (the top level + 1 if none is). */
    private static int intensityAt(double[] nu, double x) {
        for (int k = 0; k < nu.length; k++) {
            if (nu[k] <= x + 1e-12) {
                return k;
            }
        }
        return nu.length;
    }
}
