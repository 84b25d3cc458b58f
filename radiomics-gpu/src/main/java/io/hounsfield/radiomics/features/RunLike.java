package io.hounsfield.radiomics.features;

import io.hounsfield.core.texture.SparseCounts;

/**
 * The features IBSI defines alike for the run length (§3.7), size zone (§3.8), distance zone (§3.9) and
 * dependence (§3.11) matrices, over (grey level i, j) counts r_ij with N_s = Σ r_ij and N_v voxels:
 * short/long j emphases, low/high grey level emphases and their four products, grey level and j
 * non-uniformity (plain and normalised), percentage N_s/N_v, grey level and j variances, entropy (bits);
 * the dependence matrix adds energy Σ p².
 */
public final class RunLike {

    private RunLike() {
    }

    /** The 16 features (17 with {@code energy}); null for an empty matrix. */
    public static double[] features(SparseCounts m, boolean energy) {
        double ns = m.total();
        if (ns == 0) {
            return null;
        }
        double sje = 0, lje = 0, lge = 0, hge = 0, sjl = 0, sjh = 0, ljl = 0, ljh = 0, muI = 0, muJ = 0, ent = 0, en = 0;
        java.util.Map<Integer, Double> rowSum = new java.util.TreeMap<>(), colSum = new java.util.TreeMap<>();
        for (int a = 0; a < m.size(); a++) {
            double i = m.i()[a], j = m.j()[a], r = m.n()[a], p = r / ns;
            double i2 = i * i, j2 = j * j;
            sje += r / j2;
            lje += r * j2;
            lge += r / i2;
            hge += r * i2;
            sjl += r / (i2 * j2);
            sjh += r * i2 / j2;
            ljl += r * j2 / i2;
            ljh += r * i2 * j2;
            muI += i * p;
            muJ += j * p;
            ent -= p * Glcm.log2(p);
            en += p * p;
            rowSum.merge(m.i()[a], r, Double::sum);
            colSum.merge(m.j()[a], r, Double::sum);
        }
        double glnu = 0, jnu = 0, varI = 0, varJ = 0;
        for (double v : rowSum.values()) {
            glnu += v * v;
        }
        for (double v : colSum.values()) {
            jnu += v * v;
        }
        for (int a = 0; a < m.size(); a++) {
            double p = m.n()[a] / ns;
            varI += (m.i()[a] - muI) * (m.i()[a] - muI) * p;
            varJ += (m.j()[a] - muJ) * (m.j()[a] - muJ) * p;
        }
        double[] f = {sje / ns, lje / ns, lge / ns, hge / ns, sjl / ns, sjh / ns, ljl / ns, ljh / ns, glnu / ns, glnu / (ns * ns),
                jnu / ns, jnu / (ns * ns), ns / m.voxels(), varI, varJ, ent};
        if (!energy) {
            return f;
        }
        double[] g = java.util.Arrays.copyOf(f, 17);
        g[16] = en;
        return g;
    }
}
