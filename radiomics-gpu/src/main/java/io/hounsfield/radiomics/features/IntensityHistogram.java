package io.hounsfield.radiomics.features;

import io.hounsfield.core.backend.ValueCounts;
import io.hounsfield.radiomics.FeatureValue;

import java.util.List;

/**
 * IBSI §3.4, intensity histogram features (23), on discretised grey levels 1..Ng. The histogram
 * gradient uses central differences inside and one-sided ones at levels 1 and Ng (IBSI 12CE).
 */
public final class IntensityHistogram {

    public static final String FAMILY = "intensity histogram";

    private IntensityHistogram() {
    }

    /**
     * @param levels discretised grey levels of the ROI voxels, each in 1..ng
     * @param ng     number of grey levels (the histogram's length)
     */
    public static List<FeatureValue> compute(int[] levels, int ng) {
        long[] h = new long[ng + 1];
        for (int level : levels) {
            if (level < 1 || level > ng) {
                throw new IllegalArgumentException("grey level " + level + " outside 1.." + ng);
            }
            h[level]++;
        }
        return compute(h, ng);
    }

    /**
     * @param h  {@code h[g]}: how many voxels have grey level g, 1..ng ({@code h[0]} is not used)
     * @param ng number of grey levels
     */
    public static List<FeatureValue> compute(long[] h, int ng) {
        if (h.length != ng + 1) {
            throw new IllegalArgumentException("a histogram of " + ng + " levels needs " + (ng + 1) + " entries, got " + h.length);
        }
        FirstOrder f = FirstOrder.of(ValueCounts.ofDense(java.util.Arrays.copyOfRange(h, 1, ng + 1), 1));
        double n = f.n();
        int mode = 1;
        double entropy = 0, uniformity = 0;
        for (int i = 1; i <= ng; i++) {
            if (h[i] > h[mode]) {
                mode = i;
            }
            double p = h[i] / n;
            if (p > 0) {
                entropy -= p * Math.log(p) / Math.log(2);
                uniformity += p * p;
            }
        }
        double maxGrad = Double.NEGATIVE_INFINITY, minGrad = Double.POSITIVE_INFINITY;
        int maxAt = 1, minAt = 1;
        for (int i = 1; i <= ng; i++) {
            double g = ng == 1 ? 0 : i == 1 ? h[2] - h[1] : i == ng ? h[ng] - h[ng - 1] : (h[i + 1] - h[i - 1]) / 2.0;
            if (g > maxGrad) {
                maxGrad = g;
                maxAt = i;
            }
            if (g < minGrad) {
                minGrad = g;
                minAt = i;
            }
        }
        return List.of(
                v("X6K6", "Mean discretised intensity", f.mean()),
                v("CH89", "Discretised intensity variance", f.variance()),
                v("88K1", "Discretised intensity skewness", f.skewness()),
                v("C3I7", "(Excess) discretised intensity kurtosis", f.kurtosis()),
                v("WIFQ", "Median discretised intensity", f.median()),
                v("1PR8", "Minimum discretised intensity", f.min()),
                v("GPMT", "10th discretised intensity percentile", f.p10()),
                v("OZ0C", "90th discretised intensity percentile", f.p90()),
                v("3NCY", "Maximum discretised intensity", f.max()),
                v("AMMC", "Intensity histogram mode", mode),
                v("WR0O", "Discretised intensity interquartile range", f.iqr()),
                v("5Z3W", "Discretised intensity range", f.range()),
                v("D2ZX", "Intensity histogram mean absolute deviation", f.meanAbsDev()),
                v("WRZB", "Intensity histogram robust mean absolute deviation", f.robustMeanAbsDev()),
                v("4RNL", "Intensity histogram median absolute deviation", f.medianAbsDev()),
                v("CWYJ", "Intensity histogram coefficient of variation", f.coefficientOfVariation()),
                v("SLWD", "Intensity histogram quartile coefficient of dispersion", f.quartileCoefficientOfDispersion()),
                v("TLU2", "Discretised intensity entropy", entropy),
                v("BJ5W", "Discretised intensity uniformity", uniformity),
                v("12CE", "Maximum histogram gradient", maxGrad),
                v("8E6O", "Maximum histogram gradient intensity", maxAt),
                v("VQB3", "Minimum histogram gradient", minGrad),
                v("RHQZ", "Minimum histogram gradient intensity", minAt));
    }

    private static FeatureValue v(String code, String name, double value) {
        return new FeatureValue(code, FAMILY, name, "3D", value, "");
    }
}
