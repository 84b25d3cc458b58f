package io.hounsfield.radiomics.features;

/**
 * IBSI §3.10, neighbourhood grey tone difference matrix features over s_i (summed absolute differences
 * to the neighbourhood mean) and n_i (voxels with a neighbourhood) per grey level: coarseness, contrast,
 * busyness, complexity, strength.
 */
public final class Ngtdm {

    public static final String FAMILY = "NGTDM";
    static final String[][] FEATURES = {{"QCDE", "Coarseness"}, {"65HE", "Contrast"}, {"NQ30", "Busyness"}, {"HDEZ", "Complexity"},
            {"1X9X", "Strength"}};

    private Ngtdm() {
    }

    /** The 5 features; null when no voxel has a neighbourhood. */
    public static double[] features(double[] s, double[] n) {
        int ng = s.length;
        double nvc = 0;
        for (double v : n) {
            nvc += v;
        }
        if (nvc == 0) {
            return null;
        }
        double[] p = new double[ng];
        int ngp = 0;
        double sumS = 0, ps = 0;
        for (int i = 0; i < ng; i++) {
            p[i] = n[i] / nvc;
            ngp += p[i] > 0 ? 1 : 0;
            sumS += s[i];
            ps += p[i] * s[i];
        }
        double contrastA = 0, busyDen = 0, complexity = 0, strengthNum = 0;
        for (int i = 0; i < ng; i++) {
            if (p[i] == 0) {
                continue;
            }
            for (int j = 0; j < ng; j++) {
                if (p[j] == 0) {
                    continue;
                }
                double d = i - j; // grey levels i + 1 and j + 1: the same difference
                contrastA += p[i] * p[j] * d * d;
                busyDen += Math.abs((i + 1) * p[i] - (j + 1) * p[j]);
                complexity += Math.abs(d) * (p[i] * s[i] + p[j] * s[j]) / (p[i] + p[j]);
                strengthNum += (p[i] + p[j]) * d * d;
            }
        }
        double coarseness = ps == 0 ? 1e6 : 1 / ps; // IBSI: a maximum value for a perfectly uniform ROI
        double contrast = ngp > 1 ? contrastA / (ngp * (ngp - 1.0)) * sumS / nvc : 0;
        double busyness = busyDen == 0 ? 0 : ps / busyDen;
        double strength = sumS == 0 ? 0 : strengthNum / sumS;
        return new double[] {coarseness, contrast, busyness, complexity / nvc, strength};
    }
}
