package io.hounsfield.radiomics.features;

/** Eigenvalues of a symmetric 3×3 matrix (closed form, Smith 1961), in descending order. */
final class Eigen {

    private Eigen() {
    }

    static double[] symmetric3(double[][] a) {
        double p1 = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
        double[] e;
        if (p1 == 0) {
            e = new double[] {a[0][0], a[1][1], a[2][2]};
        } else {
            double q = (a[0][0] + a[1][1] + a[2][2]) / 3;
            double p2 = (a[0][0] - q) * (a[0][0] - q) + (a[1][1] - q) * (a[1][1] - q) + (a[2][2] - q) * (a[2][2] - q) + 2 * p1;
            double p = Math.sqrt(p2 / 6);
            double[][] b = new double[3][3];
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    b[r][c] = (a[r][c] - (r == c ? q : 0)) / p;
                }
            }
            double det = b[0][0] * (b[1][1] * b[2][2] - b[1][2] * b[2][1]) - b[0][1] * (b[1][0] * b[2][2] - b[1][2] * b[2][0])
                    + b[0][2] * (b[1][0] * b[2][1] - b[1][1] * b[2][0]);
            double r = Math.max(-1, Math.min(1, det / 2));
            double phi = Math.acos(r) / 3;
            double e1 = q + 2 * p * Math.cos(phi), e3 = q + 2 * p * Math.cos(phi + 2 * Math.PI / 3);
            e = new double[] {e1, 3 * q - e1 - e3, e3};
        }
        java.util.Arrays.sort(e);
        return new double[] {e[2], e[1], e[0]};
    }
}
