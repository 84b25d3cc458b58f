package io.hounsfield.radiomics.features;

/**
 * IBSI §3.6, grey level co-occurrence matrix features: the 25 formulas over one (possibly merged)
 * symmetric matrix of counts, {@code ng × ng}. Entropies in bits (log2).
 */
public final class Glcm {

    public static final String FAMILY = "GLCM";
    /** IBSI codes and names, in the order {@link #features} returns them. */
    static final String[][] FEATURES = {
            {"GYBY", "Joint maximum"}, {"60VM", "Joint average"}, {"UR99", "Joint variance"}, {"TU9B", "Joint entropy"},
            {"TF7R", "Difference average"}, {"D3YU", "Difference variance"}, {"NTRS", "Difference entropy"},
            {"ZGXS", "Sum average"}, {"OEEB", "Sum variance"}, {"P6QZ", "Sum entropy"}, {"8ZQL", "Angular second moment"},
            {"ACUI", "Contrast"}, {"8S9J", "Dissimilarity"}, {"IB1Z", "Inverse difference"}, {"NDRX", "Normalised inverse difference"},
            {"WF0Z", "Inverse difference moment"}, {"1QCO", "Normalised inverse difference moment"}, {"E8JP", "Inverse variance"},
            {"NI2N", "Correlation"}, {"QWB0", "Autocorrelation"}, {"DG8W", "Cluster tendency"}, {"7NFM", "Cluster shade"},
            {"AE86", "Cluster prominence"}, {"R8DG", "Information correlation 1"}, {"JN9H", "Information correlation 2"}};

    private Glcm() {
    }

    static double log2(double v) {
        return Math.log(v) / Math.log(2);
    }

    /** The 25 features of the matrix of counts {@code m}; null if it has no pair. */
    public static double[] features(long[] m, int ng) {
        double total = 0;
        for (long c : m) {
            total += c;
        }
        if (total == 0) {
            return null;
        }
        double[] pi = new double[ng], pj = new double[ng], pMinus = new double[ng], pPlus = new double[2 * ng + 1];
        double max = 0, mu = 0, entropy = 0, asm = 0, contrast = 0, dissim = 0, id = 0, idn = 0, idm = 0, idmn = 0, auto = 0;
        for (int i = 1; i <= ng; i++) {
            for (int j = 1; j <= ng; j++) {
                double p = m[(i - 1) * ng + (j - 1)] / total;
                if (p == 0) {
                    continue;
                }
                pi[i - 1] += p;
                pj[j - 1] += p;
                int d = Math.abs(i - j);
                pMinus[d] += p;
                pPlus[i + j] += p;
                max = Math.max(max, p);
                mu += i * p;
                entropy -= p * log2(p);
                asm += p * p;
                contrast += (double) d * d * p;
                dissim += d * p;
                id += p / (1 + d);
                idn += p / (1 + (double) d / ng);
                idm += p / (1 + (double) d * d);
                idmn += p / (1 + (double) d * d / ((double) ng * ng));
                auto += (double) i * j * p;
            }
        }
        double var = 0, muI = 0, muJ = 0;
        for (int i = 1; i <= ng; i++) {
            muI += i * pi[i - 1];
            muJ += i * pj[i - 1];
        }
        double varI = 0, varJ = 0, cov = 0, tend = 0, shade = 0, prom = 0, hxy1 = 0, hxy2 = 0;
        for (int i = 1; i <= ng; i++) {
            varI += (i - muI) * (i - muI) * pi[i - 1];
            varJ += (i - muJ) * (i - muJ) * pj[i - 1];
            for (int j = 1; j <= ng; j++) {
                double p = m[(i - 1) * ng + (j - 1)] / total;
                double q = pi[i - 1] * pj[j - 1];
                if (q > 0) {
                    hxy2 -= q * log2(q);
                }
                if (p == 0) {
                    continue;
                }
                var += (i - mu) * (i - mu) * p;
                cov += (i - muI) * (j - muJ) * p;
                double c = i + j - muI - muJ;
                tend += c * c * p;
                shade += c * c * c * p;
                prom += c * c * c * c * p;
                hxy1 -= p * log2(q);
            }
        }
        double dAvg = 0, dVar = 0, dEnt = 0, invVar = 0;
        for (int k = 0; k < ng; k++) {
            dAvg += k * pMinus[k];
        }
        for (int k = 0; k < ng; k++) {
            double p = pMinus[k];
            dVar += (k - dAvg) * (k - dAvg) * p;
            if (p > 0) {
                dEnt -= p * log2(p);
            }
            if (k > 0) {
                invVar += p / ((double) k * k);
            }
        }
        double sAvg = 0, sVar = 0, sEnt = 0;
        for (int k = 2; k <= 2 * ng; k++) {
            sAvg += k * pPlus[k];
        }
        for (int k = 2; k <= 2 * ng; k++) {
            double p = pPlus[k];
            sVar += (k - sAvg) * (k - sAvg) * p;
            if (p > 0) {
                sEnt -= p * log2(p);
            }
        }
        double hx = 0, hy = 0;
        for (int i = 0; i < ng; i++) {
            if (pi[i] > 0) {
                hx -= pi[i] * log2(pi[i]);
            }
            if (pj[i] > 0) {
                hy -= pj[i] * log2(pj[i]);
            }
        }
        double corr = varI > 0 && varJ > 0 ? cov / Math.sqrt(varI * varJ) : Double.NaN;
        double ic1 = Math.max(hx, hy) > 0 ? (entropy - hxy1) / Math.max(hx, hy) : Double.NaN;
        double ic2 = Math.sqrt(Math.max(0, 1 - Math.exp(-2 * (hxy2 - entropy))));
        return new double[] {max, mu, var, entropy, dAvg, dVar, dEnt, sAvg, sVar, sEnt, asm, contrast, dissim, id, idn, idm, idmn, invVar,
                corr, auto, tend, shade, prom, ic1, ic2};
    }
}
