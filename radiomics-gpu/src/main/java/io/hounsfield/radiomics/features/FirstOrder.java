package io.hounsfield.radiomics.features;

import io.hounsfield.core.backend.ValueCounts;

/**
 * The first-order statistics IBSI defines alike for raw intensities (§3.3) and for discretised ones
 * (§3.4), over a multiset of values ({@link ValueCounts}). Moments are population moments (divided by N);
 * percentiles interpolate linearly between order statistics (NumPy's default), which reproduces IBSI's
 * reference values.
 */
record FirstOrder(long n, double mean, double variance, double skewness, double kurtosis, double median, double min,
                  double p10, double p90, double max, double iqr, double range, double meanAbsDev, double robustMeanAbsDev,
                  double medianAbsDev, double coefficientOfVariation, double quartileCoefficientOfDispersion,
                  double energy, double rootMeanSquare) {

    static FirstOrder of(double[] values) {
        return of(ValueCounts.of(values));
    }

    /**
     * From distinct values and their counts: every sum runs over the distinct values in ascending order,
     * each term weighted by its count, so equal counts give equal doubles on every backend.
     */
    static FirstOrder of(ValueCounts vc) {
        long n = vc.total();
        if (n == 0) {
            throw new IllegalArgumentException("the ROI is empty");
        }
        double[] x = vc.values();
        long[] c = vc.counts();
        double sum = 0, comp = 0; // Kahan
        for (int k = 0; k < x.length; k++) {
            double y = c[k] * x[k] - comp, t = sum + y;
            comp = (t - sum) - y;
            sum = t;
        }
        double mean = sum / n;
        double m2 = 0, m3 = 0, m4 = 0, mad = 0, energy = 0;
        for (int k = 0; k < x.length; k++) {
            double d = x[k] - mean, w = c[k];
            m2 += w * (d * d);
            m3 += w * (d * d * d);
            m4 += w * (d * d * d * d);
            mad += w * Math.abs(d);
            energy += w * (x[k] * x[k]);
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        double median = percentile(vc, n, 0.5), p10 = percentile(vc, n, 0.1), p90 = percentile(vc, n, 0.9);
        double p25 = percentile(vc, n, 0.25), p75 = percentile(vc, n, 0.75);
        double medAd = 0;
        for (int k = 0; k < x.length; k++) {
            medAd += c[k] * Math.abs(x[k] - median);
        }
        // Robust mean absolute deviation: over the values between P10 and P90, about their own mean.
        double rs = 0;
        long rn = 0;
        for (int k = 0; k < x.length; k++) {
            if (x[k] >= p10 && x[k] <= p90) {
                rs += c[k] * x[k];
                rn += c[k];
            }
        }
        double rmean = rs / rn, rmad = 0;
        for (int k = 0; k < x.length; k++) {
            if (x[k] >= p10 && x[k] <= p90) {
                rmad += c[k] * Math.abs(x[k] - rmean);
            }
        }
        double min = x[0], max = x[x.length - 1];
        return new FirstOrder(n, mean, m2, m2 == 0 ? 0 : m3 / Math.pow(m2, 1.5), m2 == 0 ? 0 : m4 / (m2 * m2) - 3, median,
                min, p10, p90, max, p75 - p25, max - min, mad / n, rmad / rn, medAd / n,
                Math.sqrt(m2) / mean, (p75 - p25) / (p75 + p25), energy, Math.sqrt(energy / n));
    }

    /** Linear interpolation between the order statistics at rank (n−1)·p (NumPy's default). */
    static double percentile(ValueCounts vc, long n, double p) {
        double h = (n - 1) * p;
        long lo = (long) Math.floor(h);
        long hi = Math.min(lo + 1, n - 1);
        double a = vc.atRank(lo), b = vc.atRank(hi);
        return a + (h - lo) * (b - a);
    }
}
