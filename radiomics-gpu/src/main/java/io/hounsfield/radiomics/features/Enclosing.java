package io.hounsfield.radiomics.features;

import java.util.Arrays;

/**
 * Enclosing shapes of a convex point set (hull vertices) for IBSI's oriented-bounding-box and
 * minimum-volume-enclosing-ellipsoid densities (§3.1.20–3.1.23).
 */
final class Enclosing {

    /** Face directions tried for the oriented box, largest hull faces first: bounds the cost for large ROIs. */
    static final int MAX_DIRECTIONS = 64;

    private Enclosing() {
    }

    /** Edge lengths of a box. */
    record Box(double a, double b, double c) {
        double volume() {
            return a * b * c;
        }

        double area() {
            return 2 * (a * b + a * c + b * c);
        }
    }

    /**
     * The smallest box with a face flush with one of the hull's faces (each face's plane, then the
     * minimum-area rectangle of the projected points by rotating calipers). The minimum-volume box has a
     * face flush with a hull face or two faces flush with hull edges (O'Rourke 1985); this searches the
     * first family — over the {@value #MAX_DIRECTIONS} largest hull faces' directions — as an approximation.
     *
     * @param p          points, x y z each
     * @param faceNormals unit normals of the hull faces, x y z each
     */
    static Box orientedBox(double[] p, double[] faceNormals) {
        int n = p.length / 3;
        Box best = null;
        double[] seen = new double[0];
        int seenCount = 0;
        for (int f = 0; f < faceNormals.length / 3 && seenCount < MAX_DIRECTIONS; f++) {
            double nx = faceNormals[3 * f], ny = faceNormals[3 * f + 1], nz = faceNormals[3 * f + 2];
            // Parallel (or opposite) normals give the same box.
            boolean dup = false;
            for (int k = 0; k < seenCount && !dup; k++) {
                dup = Math.abs(Math.abs(seen[3 * k] * nx + seen[3 * k + 1] * ny + seen[3 * k + 2] * nz) - 1) < 1e-9;
            }
            if (dup) {
                continue;
            }
            if (3 * (seenCount + 1) > seen.length) {
                seen = Arrays.copyOf(seen, Math.max(48, 2 * seen.length));
            }
            seen[3 * seenCount] = nx;
            seen[3 * seenCount + 1] = ny;
            seen[3 * seenCount + 2] = nz;
            seenCount++;
            // Basis (u, v) of the face plane.
            double ux, uy, uz;
            if (Math.abs(nx) < 0.9) {
                ux = 0; uy = nz; uz = -ny; // n × (1,0,0)
            } else {
                ux = -nz; uy = 0; uz = nx; // n × (0,1,0)
            }
            double ul = Math.sqrt(ux * ux + uy * uy + uz * uz);
            ux /= ul;
            uy /= ul;
            uz /= ul;
            double vx = ny * uz - nz * uy, vy = nz * ux - nx * uz, vz = nx * uy - ny * ux;
            double hmin = Double.MAX_VALUE, hmax = -Double.MAX_VALUE;
            double[] q = new double[2 * n];
            for (int i = 0; i < n; i++) {
                double x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
                double h = nx * x + ny * y + nz * z;
                hmin = Math.min(hmin, h);
                hmax = Math.max(hmax, h);
                q[2 * i] = ux * x + uy * y + uz * z;
                q[2 * i + 1] = vx * x + vy * y + vz * z;
            }
            double[] rect = minRectangle(q);
            Box b = new Box(rect[0], rect[1], hmax - hmin);
            if (best == null || b.volume() < best.volume()) {
                best = b;
            }
        }
        return best;
    }

    /** Sides of the minimum-area rectangle around 2-D points (x y each): a side is flush with a hull edge. */
    static double[] minRectangle(double[] q) {
        double[] h = hull2d(q);
        int m = h.length / 2;
        double bestArea = Double.MAX_VALUE, bw = 0, bh = 0;
        for (int i = 0; i < m; i++) {
            int j = (i + 1) % m;
            double ex = h[2 * j] - h[2 * i], ey = h[2 * j + 1] - h[2 * i + 1], el = Math.sqrt(ex * ex + ey * ey);
            if (el == 0) {
                continue;
            }
            ex /= el;
            ey /= el;
            double amin = Double.MAX_VALUE, amax = -Double.MAX_VALUE, bmin = Double.MAX_VALUE, bmax = -Double.MAX_VALUE;
            for (int k = 0; k < m; k++) {
                double a = ex * h[2 * k] + ey * h[2 * k + 1], b = -ey * h[2 * k] + ex * h[2 * k + 1];
                amin = Math.min(amin, a);
                amax = Math.max(amax, a);
                bmin = Math.min(bmin, b);
                bmax = Math.max(bmax, b);
            }
            double area = (amax - amin) * (bmax - bmin);
            if (area < bestArea) {
                bestArea = area;
                bw = amax - amin;
                bh = bmax - bmin;
            }
        }
        return new double[] {bw, bh};
    }

    /** Andrew's monotone chain: the 2-D convex hull, counter-clockwise, x y each. */
    static double[] hull2d(double[] q) {
        int n = q.length / 2;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> q[2 * a] != q[2 * b] ? Double.compare(q[2 * a], q[2 * b]) : Double.compare(q[2 * a + 1], q[2 * b + 1]));
        int[] h = new int[2 * n + 1];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            int start = k;
            for (int t = 0; t < n; t++) {
                int i = pass == 0 ? order[t] : order[n - 1 - t];
                while (k >= start + 2 && cross(q, h[k - 2], h[k - 1], i) <= 0) {
                    k--;
                }
                h[k++] = i;
            }
            k--;
        }
        double[] out = new double[2 * Math.max(k, 1)];
        for (int i = 0; i < k; i++) {
            out[2 * i] = q[2 * h[i]];
            out[2 * i + 1] = q[2 * h[i] + 1];
        }
        return out;
    }

    private static double cross(double[] q, int o, int a, int b) {
        return (q[2 * a] - q[2 * o]) * (q[2 * b + 1] - q[2 * o + 1]) - (q[2 * a + 1] - q[2 * o + 1]) * (q[2 * b] - q[2 * o]);
    }

    /**
     * Semi-axes (descending) of the minimum-volume enclosing ellipsoid: Khachiyan's algorithm with Todd and
     * Yıldırım's away steps (Todd &amp; Yıldırım 2007, "On Khachiyan's algorithm for the computation of
     * minimum-volume enclosing ellipsoids"), which converges linearly where plain Khachiyan crawls. Stops when
     * every point lies within the (1 + tol)-scaled ellipsoid of the current weights and every weighted point
     * within tol of its surface (ε₊, ε₋ ≤ tol), or after {@code maxIterations}. The points are centred first:
     * the axes do not move with the points, and X = Σ u q qᵀ stays well conditioned far from the origin.
     */
    static double[] mvee(double[] p, double tol, int maxIterations) {
        int n = p.length / 3;
        double[] mean = new double[3];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                mean[k] += p[3 * i + k];
            }
        }
        for (int k = 0; k < 3; k++) {
            mean[k] /= n;
        }
        double[] q = new double[3 * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                q[3 * i + k] = p[3 * i + k] - mean[k];
            }
        }
        double[] u = new double[n];
        Arrays.fill(u, 1.0 / n);
        // X = Σ u_i q_i q_iᵀ with q_i = (p_i − p̄, 1); each step is a rank-one change, so X is updated, not rebuilt.
        double[][] x = new double[4][4];
        for (int i = 0; i < n; i++) {
            double[] qi = {q[3 * i], q[3 * i + 1], q[3 * i + 2], 1};
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    x[r][c] += u[i] * qi[r] * qi[c];
                }
            }
        }
        final double d1 = 4; // dimension + 1
        // m_i = q_iᵀ X⁻¹ q_i for every point, kept up to date by Sherman–Morrison after each rank-one step
        // (O(n) a step), and recomputed from X every REFRESH steps and before stopping, so rounding cannot drift.
        double[][] xi = invert4(x);
        double[] m = new double[n];
        boolean exact = true;
        recompute(q, xi, m);
        for (int it = 0; it < maxIterations; it++) {
            int j = 0, k = -1;
            double mj = Double.NEGATIVE_INFINITY, mk = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                if (m[i] > mj) {
                    mj = m[i];
                    j = i;
                }
                if (u[i] > 0 && m[i] < mk) {
                    mk = m[i];
                    k = i;
                }
            }
            double epsPlus = mj / d1 - 1, epsMinus = k < 0 ? 0 : 1 - mk / d1;
            if (Math.max(epsPlus, epsMinus) <= tol) {
                if (exact) {
                    break;
                }
                xi = invert4(x); // confirm with exact values
                recompute(q, xi, m);
                exact = true;
                it--;
                continue;
            }
            int at;
            double grow; // X ← (1 − grow)·X + grow·q_at q_atᵀ, u ← (1 − grow)·u + grow·e_at
            if (epsPlus > epsMinus) {
                at = j;
                grow = (mj - d1) / (d1 * (mj - 1));
            } else {
                // Away step: shrink the weight of the point deepest inside, at most to zero.
                at = k;
                grow = -Math.min((d1 - mk) / (d1 * (mk - 1)), u[k] / (1 - u[k]));
            }
            double[] qa = {q[3 * at], q[3 * at + 1], q[3 * at + 2], 1};
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    x[r][c] = (1 - grow) * x[r][c] + grow * qa[r] * qa[c];
                }
            }
            for (int i = 0; i < n; i++) {
                u[i] *= 1 - grow;
            }
            u[at] = Math.max(0, u[at] + grow);
            if ((it + 1) % REFRESH == 0) {
                xi = invert4(x);
                recompute(q, xi, m);
                exact = true;
                continue;
            }
            // X'⁻¹ = X⁻¹/(1 − g) − g·v vᵀ / ((1 − g)((1 − g) + g·m_a)), v = X⁻¹ q_a; so m_i' likewise with (q_i · v)².
            double ma = m[at], keep = 1 - grow, denom = keep * (keep + grow * ma);
            double[] v = new double[4];
            for (int r = 0; r < 4; r++) {
                v[r] = xi[r][0] * qa[0] + xi[r][1] * qa[1] + xi[r][2] * qa[2] + xi[r][3];
            }
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    xi[r][c] = xi[r][c] / keep - grow * v[r] * v[c] / denom;
                }
            }
            for (int i = 0; i < n; i++) {
                double g = q[3 * i] * v[0] + q[3 * i + 1] * v[1] + q[3 * i + 2] * v[2] + v[3];
                m[i] = m[i] / keep - grow * g * g / denom;
            }
            exact = false;
        }
        double[] c = new double[3];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 3; k++) {
                c[k] += u[i] * q[3 * i + k];
            }
        }
        double[][] s = new double[3][3];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 3; r++) {
                for (int k = 0; k < 3; k++) {
                    s[r][k] += u[i] * q[3 * i + r] * q[3 * i + k];
                }
            }
        }
        for (int r = 0; r < 3; r++) {
            for (int k = 0; k < 3; k++) {
                s[r][k] -= c[r] * c[k];
            }
        }
        // A = (1/d) S⁻¹: semi-axes are 1/√(eigenvalues of A) = √(d · eigenvalues of S).
        double[] e = Eigen.symmetric3(s);
        return new double[] {Math.sqrt(3 * e[0]), Math.sqrt(3 * e[1]), Math.sqrt(3 * Math.max(0, e[2]))};
    }

    /** Steps between exact recomputations of X⁻¹ and every m_i. */
    private static final int REFRESH = 64;

    /** m_i = q_iᵀ X⁻¹ q_i with q_i = (point i, 1). */
    private static void recompute(double[] q, double[][] xi, double[] m) {
        for (int i = 0; i < m.length; i++) {
            double q0 = q[3 * i], q1 = q[3 * i + 1], q2 = q[3 * i + 2];
            double s = 0;
            for (int r = 0; r < 4; r++) {
                double qr = r == 0 ? q0 : r == 1 ? q1 : r == 2 ? q2 : 1;
                s += qr * (xi[r][0] * q0 + xi[r][1] * q1 + xi[r][2] * q2 + xi[r][3]);
            }
            m[i] = s;
        }
    }

    private static double[][] invert4(double[][] a) {
        int n = 4;
        double[][] m = new double[n][2 * n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(a[r], 0, m[r], 0, n);
            m[r][n + r] = 1;
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) {
                    piv = r;
                }
            }
            double[] t = m[col];
            m[col] = m[piv];
            m[piv] = t;
            double d = m[col][col];
            if (d == 0) {
                throw new ArithmeticException("singular matrix in the enclosing-ellipsoid iteration (flat ROI)");
            }
            for (int c = 0; c < 2 * n; c++) {
                m[col][c] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != col) {
                    double f = m[r][col];
                    for (int c = 0; c < 2 * n; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(m[r], n, inv[r], 0, n);
        }
        return inv;
    }
}
