package io.hounsfield.radiomics.features;

import io.hounsfield.core.backend.ValueCounts;
import io.hounsfield.radiomics.FeatureValue;

import java.util.List;

/** IBSI §3.3, intensity-based statistical features (18), on the intensity mask's voxels; 3D by definition. */
public final class IntensityStatistics {

    public static final String FAMILY = "intensity-based statistics";

    private IntensityStatistics() {
    }

    /** @param unit the image's intensity unit ("HU" for CT, "" when unknown) */
    public static List<FeatureValue> compute(double[] intensities, String unit) {
        return compute(ValueCounts.of(intensities), unit);
    }

    /** From the intensity mask's distinct values and their counts ({@code ComputeBackend.valueCounts}). */
    public static List<FeatureValue> compute(ValueCounts intensities, String unit) {
        FirstOrder f = FirstOrder.of(intensities);
        String u2 = unit.isEmpty() ? "" : unit + "²";
        return List.of(
                v("Q4LE", "Mean intensity", f.mean(), unit),
                v("ECT3", "Intensity variance", f.variance(), u2),
                v("KE2A", "Intensity skewness", f.skewness(), ""),
                v("IPH6", "(Excess) intensity kurtosis", f.kurtosis(), ""),
                v("Y12H", "Median intensity", f.median(), unit),
                v("1GSF", "Minimum intensity", f.min(), unit),
                v("QG58", "10th intensity percentile", f.p10(), unit),
                v("8DWT", "90th intensity percentile", f.p90(), unit),
                v("84IY", "Maximum intensity", f.max(), unit),
                v("SALO", "Intensity interquartile range", f.iqr(), unit),
                v("2OJQ", "Intensity range", f.range(), unit),
                v("4FUA", "Intensity-based mean absolute deviation", f.meanAbsDev(), unit),
                v("1128", "Intensity-based robust mean absolute deviation", f.robustMeanAbsDev(), unit),
                v("N72L", "Intensity-based median absolute deviation", f.medianAbsDev(), unit),
                v("7TET", "Intensity-based coefficient of variation", f.coefficientOfVariation(), ""),
                v("9S40", "Intensity-based quartile coefficient of dispersion", f.quartileCoefficientOfDispersion(), ""),
                v("N8CA", "Intensity-based energy", f.energy(), u2),
                v("5ZWQ", "Root mean square intensity", f.rootMeanSquare(), unit));
    }

    private static FeatureValue v(String code, String name, double value, String unit) {
        return new FeatureValue(code, FAMILY, name, "3D", value, unit);
    }
}
