package io.hounsfield.radiomics.features;

import java.util.Arrays;

/**
 * The first-order statistics IBSI defines alike for raw intensities (§3.3) and for discretised ones
 * (§3.4), over a set of values. Moments are population moments (divided by N); percentiles interpolate
 * linearly between order statistics (NumPy's default), which reproduces IBSI's reference values.
 */
record FirstOrder(int n, double mean, double variance, double skewness, double kurtosis, double median, double min,
                  double p10, double p90, double max, double iqr, double range, double meanAbsDev, double robustMeanAbsDev,
                  double medianAbsDev, double coefficientOfVariation, double quartileCoefficientOfDispersion,
                  double energy, double rootMeanSquare) {

    static FirstOrder of(double[] values) {
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("the ROI is empty");
        }
        double[] x = values.clone();
        Arrays.sort(x);
        double mean = kahanSum(x) / n;
        double m2 = 0, m3 = 0, m4 = 0, mad = 0, energy = 0;
        for (double v : x) {
            double d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
            mad += Math.abs(d);
            energy += v * v;
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        double median = percentile(x, 0.5), p10 = percentile(x, 0.1), p90 = percentile(x, 0.9);
        double p25 = percentile(x, 0.25), p75 = percentile(x, 0.75);
        double medAd = 0;
        for (double v : x) {
            medAd += Math.abs(v - median);
        }
        // Robust mean absolute deviation: over the values between P10 and P90, about their own mean.
        double rs = 0;
        int rn = 0;
        for (double v : x) {
            if (v >= p10 && v <= p90) {
                rs += v;
                rn++;
            }
        }
        double rmean = rs / rn, rmad = 0;
        for (double v : x) {
            if (v >= p10 && v <= p90) {
                rmad += Math.abs(v - rmean);
            }
        }
        return new FirstOrder(n, mean, m2, m2 == 0 ? 0 : m3 / Math.pow(m2, 1.5), m2 == 0 ? 0 : m4 / (m2 * m2) - 3, median,
                x[0], p10, p90, x[n - 1], p75 - p25, x[n - 1] - x[0], mad / n, rmad / rn, medAd / n,
                Math.sqrt(m2) / mean, (p75 - p25) / (p75 + p25), energy, Math.sqrt(energy / n));
    }

    /** Linear interpolation between the order statistics at rank (n−1)·p. */
    static double percentile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double kahanSum(double[] x) {
        double sum = 0, c = 0;
        for (double v : x) {
            double y = v - c, t = sum + y;
            c = (t - sum) - y;
            sum = t;
        }
        return sum;
    }
}
