package io.hounsfield.radiomics.features;

/**
 * Eigenvalues of a symmetric 3×3 matrix, in descending order, by cyclic Jacobi rotations: accurate to about
 * ε‖A‖ even when eigenvalues nearly coincide (a round ROI's PCA), where the closed form (Smith 1961) loses
 * half the digits (an error of ~√ε).
 */
final class Eigen {

    private Eigen() {
    }

    static double[] symmetric3(double[][] m) {
        double[][] a = {m[0].clone(), m[1].clone(), m[2].clone()};
        // Symmetrise (callers pass symmetric matrices; rounding may leave the halves a bit apart).
        for (int r = 0; r < 3; r++) {
            for (int c = r + 1; c < 3; c++) {
                double v = (a[r][c] + a[c][r]) / 2;
                a[r][c] = a[c][r] = v;
            }
        }
        for (int sweep = 0; sweep < 64; sweep++) {
            double off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
            double diag = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2];
            if (off == 0 || off <= 1e-36 * diag) {
                break;
            }
            rotate(a, 0, 1);
            rotate(a, 0, 2);
            rotate(a, 1, 2);
        }
        double[] e = {a[0][0], a[1][1], a[2][2]};
        java.util.Arrays.sort(e);
        return new double[] {e[2], e[1], e[0]};
    }

    /** One Jacobi rotation zeroing a[p][q] (Numerical Recipes' stable form), applied on both sides. */
    private static void rotate(double[][] a, int p, int q) {
        double apq = a[p][q];
        if (apq == 0) {
            return;
        }
        double theta = (a[q][q] - a[p][p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1), s = t * c;
        int r = 3 - p - q; // the third index
        double arp = a[r][p], arq = a[r][q];
        a[p][p] -= t * apq;
        a[q][q] += t * apq;
        a[p][q] = a[q][p] = 0;
        a[r][p] = a[p][r] = c * arp - s * arq;
        a[r][q] = a[q][r] = s * arp + c * arq;
    }
}
