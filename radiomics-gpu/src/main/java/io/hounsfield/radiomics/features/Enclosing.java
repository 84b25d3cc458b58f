package io.hounsfield.radiomics.features;

import java.util.Arrays;
import java.util.List;

/**
 * Enclosing shapes of a convex point set (hull vertices) for IBSI's oriented-bounding-box and
 * minimum-volume-enclosing-ellipsoid densities (§3.1.20–3.1.23).
 */
final class Enclosing {

    /** A triangle whose unit normal's cosine with a direction is within this of 0 lies along it (is seen edge-on). */
    private static final double ALONG = 1e-9;

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
     * minimum-area rectangle of the hull's projection onto it). The minimum-volume box has a face flush with
     * a hull face or two faces flush with hull edges (O'Rourke 1985); this searches the first family — over
     * the {@value #MAX_DIRECTIONS} largest hull faces' directions — as an approximation.
     *
     * <p>The projection's outline is the image of the hull's silhouette: the edges between triangles facing
     * the direction and triangles that do not (with the corners of triangles seen edge-on, which rounding may
     * put on either side). So each direction costs a pass over the triangles and a 2-D hull and rectangle of the
     * silhouette's few vertices, not of every vertex.
     */
    static Box orientedBox(ConvexHull hull) {
        return orientedBox(hull, Runnable::run);
    }

    /**
     * As {@link #orientedBox(ConvexHull)}, the directions in chunks (one per core, 4 to 16) on {@code work}; the smallest box
     * of the first direction that has it, as sequentially, whatever runs them.
     */
    static Box orientedBox(ConvexHull hull, java.util.concurrent.Executor work) {
        ConvexHull.Triangles t = hull.triangles();
        double[] nrm = t.normals();
        // The directions: the largest faces' normals, parallel (or opposite) ones once — they give the same box.
        int[] dirs = new int[MAX_DIRECTIONS];
        int count = 0;
        for (int f = 0; f < t.count() && count < MAX_DIRECTIONS; f++) {
            boolean dup = false;
            for (int k = 0; k < count && !dup; k++) {
                int g = dirs[k];
                dup = Math.abs(Math.abs(nrm[3 * g] * nrm[3 * f] + nrm[3 * g + 1] * nrm[3 * f + 1] + nrm[3 * g + 2] * nrm[3 * f + 2]) - 1) < 1e-9;
            }
            if (!dup) {
                dirs[count++] = f;
            }
        }
        // A chunk per core (at least 4, at most 16): the box is the same however the directions are cut.
        int chunks = Math.min(count, Math.clamp(Runtime.getRuntime().availableProcessors(), 4, 16)), n = count;
        List<java.util.concurrent.CompletableFuture<Box>> parts = new java.util.ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            int from = n * c / chunks, to = n * (c + 1) / chunks;
            parts.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                Box best = null;
                for (int k = from; k < to; k++) {
                    best = smaller(best, boxFlushWith(hull, t, dirs[k]));
                }
                return best;
            }, work));
        }
        io.hounsfield.core.Tasks.joinAll(parts);
        Box best = null;
        for (var part : parts) {
            best = smaller(best, part.join());
        }
        return best;
    }

    /** {@code b} if it is smaller than {@code best} (or there is none yet); ties keep the earlier box. */
    private static Box smaller(Box best, Box b) {
        return best == null || b != null && b.volume() < best.volume() ? b : best;
    }

    /** The smallest box with a face in the plane of hull triangle {@code f} (its silhouette's minimum rectangle). */
    private static Box boxFlushWith(ConvexHull hull, ConvexHull.Triangles t, int f) {
        double[] p = hull.points();
        double[] nrm = t.normals();
        int[] corners = t.corners(), across = t.neighbours();
        int faces = t.count();
        double nx = nrm[3 * f], ny = nrm[3 * f + 1], nz = nrm[3 * f + 2];
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
        for (int i : hull.vertices()) {
            double h = nx * p[3 * i] + ny * p[3 * i + 1] + nz * p[3 * i + 2];
            hmin = Math.min(hmin, h);
            hmax = Math.max(hmax, h);
        }
        // Each triangle faces the direction (+1), away from it (−1), or lies along it to rounding (0).
        byte[] side = new byte[faces];
        for (int g = 0; g < faces; g++) {
            double d = nrm[3 * g] * nx + nrm[3 * g + 1] * ny + nrm[3 * g + 2] * nz;
            side[g] = (byte) (d > ALONG ? 1 : d < -ALONG ? -1 : 0);
        }
        // The outline's vertices, projected (x y each): the ends of the silhouette edges (between a facing triangle
        // and one that does not face the direction) and every corner of a triangle along it (whose projection is a
        // segment that may hold part of the outline). Points inside the outline may come too: harmless, the
        // rectangle is fitted to their convex hull.
        double[] points = new double[64];
        int count = 0;
        boolean[] taken = new boolean[p.length / 3]; // each vertex once
        for (int g = 0; g < faces; g++) {
            for (int k = 0; k < 3; k++) {
                // Corner k starts edge k: a silhouette edge's ends are its start and the next edge's start.
                int q = corners[3 * g + k];
                boolean edge = side[g] == 1 && side[across[3 * g + k]] != 1, before = side[g] == 1 && side[across[3 * g + (k + 2) % 3]] != 1;
                if ((side[g] == 0 || edge || before) && !taken[q]) {
                    taken[q] = true;
                    if (2 * count + 2 > points.length) {
                        points = Arrays.copyOf(points, 2 * points.length);
                    }
                    points[2 * count] = ux * p[3 * q] + uy * p[3 * q + 1] + uz * p[3 * q + 2];
                    points[2 * count + 1] = vx * p[3 * q] + vy * p[3 * q + 1] + vz * p[3 * q + 2];
                    count++;
                }
            }
        }
        double[] rect = minRectangle(points, count);
        return new Box(rect[0], rect[1], hmax - hmin);
    }

    /**
     * Sides of the minimum-area rectangle around {@code count} points (x y each; duplicates and collinear runs
     * allowed): a side of the optimum is flush with an edge of the points' convex hull (Freeman &amp; Shapira 1975).
     * The points are reduced to that hull by the monotone chain — duplicates and collinear pieces, which voxel
     * outlines have many of, drop out — and rotating calipers (Toussaint 1983) give each hull edge's rectangle in
     * linear time, checked as below.
     */
    static double[] minRectangle(double[] xy, int count) {
        double[] hull = convexHull2d(xy, count);
        int h = hull.length / 2;
        if (h < 3) { // a segment or a point: the rectangle is that segment
            double len = h < 2 ? 0 : Math.hypot(hull[2] - hull[0], hull[3] - hull[1]);
            return new double[] {len, 0};
        }
        // Rotating calipers: for edge i (unit direction u, inward normal n) the vertex farthest from it and the last
        // and first along it, counter-clockwise in that order after the edge; found by a full scan for the first edge,
        // then each only moves forward as the edges turn. A pointer can stall on vertices collinear to rounding, which
        // only ever makes a rectangle look smaller: so the smallest is measured again over every vertex, and if it was
        // undercounted, every edge is (each edge's rectangle over every vertex — exact, quadratic).
        int best = -1, far = 0, last = 0, first = 0;
        double bestArea = Double.MAX_VALUE;
        for (int i = 0; i < h; i++) {
            int i1 = (i + 1) % h;
            double ux = hull[2 * i1] - hull[2 * i], uy = hull[2 * i1 + 1] - hull[2 * i + 1], ul = Math.sqrt(ux * ux + uy * uy);
            ux /= ul;
            uy /= ul;
            double nx = -uy, ny = ux; // inwards: the hull runs counter-clockwise
            if (i == 0) {
                for (int k = 1; k < h; k++) {
                    far = dot(nx, ny, hull, k) > dot(nx, ny, hull, far) ? k : far;
                    last = dot(ux, uy, hull, k) > dot(ux, uy, hull, last) ? k : last;
                    first = dot(ux, uy, hull, k) < dot(ux, uy, hull, first) ? k : first;
                }
            }
            for (int step = 0; step < h && dot(nx, ny, hull, (far + 1) % h) > dot(nx, ny, hull, far); step++) {
                far = (far + 1) % h;
            }
            for (int step = 0; step < h && dot(ux, uy, hull, (last + 1) % h) > dot(ux, uy, hull, last); step++) {
                last = (last + 1) % h;
            }
            for (int step = 0; step < h && dot(ux, uy, hull, (first + 1) % h) < dot(ux, uy, hull, first); step++) {
                first = (first + 1) % h;
            }
            double area = (dot(ux, uy, hull, last) - dot(ux, uy, hull, first)) * (dot(nx, ny, hull, far) - dot(nx, ny, hull, i));
            if (area < bestArea) {
                bestArea = area;
                best = i;
            }
        }
        double[] r = rectangleOn(hull, best);
        if (r[0] * r[1] <= bestArea * (1 + 1e-12)) {
            return r;
        }
        double[] exact = null;
        for (int i = 0; i < h; i++) {
            double[] c = rectangleOn(hull, i);
            exact = exact == null || c[0] * c[1] < exact[0] * exact[1] ? c : exact;
        }
        return exact;
    }

    /** Sides of the rectangle with a side on hull edge {@code i}, over every hull vertex: along the edge, across it. */
    private static double[] rectangleOn(double[] hull, int i) {
        int h = hull.length / 2, i1 = (i + 1) % h;
        double ux = hull[2 * i1] - hull[2 * i], uy = hull[2 * i1 + 1] - hull[2 * i + 1], ul = Math.sqrt(ux * ux + uy * uy);
        ux /= ul;
        uy /= ul;
        double amin = Double.MAX_VALUE, amax = -Double.MAX_VALUE, bmin = Double.MAX_VALUE, bmax = -Double.MAX_VALUE;
        for (int k = 0; k < h; k++) {
            double a = dot(ux, uy, hull, k), b = dot(-uy, ux, hull, k);
            amin = Math.min(amin, a);
            amax = Math.max(amax, a);
            bmin = Math.min(bmin, b);
            bmax = Math.max(bmax, b);
        }
        return new double[] {amax - amin, bmax - bmin};
    }

    private static double dot(double x, double y, double[] p, int i) {
        return x * p[2 * i] + y * p[2 * i + 1];
    }

    /** The convex hull of {@code count} points (x y each), counter-clockwise, without collinear points (Andrew's monotone chain). */
    private static double[] convexHull2d(double[] xy, int count) {
        double[] x = new double[count], y = new double[count];
        for (int i = 0; i < count; i++) {
            x[i] = xy[2 * i];
            y[i] = xy[2 * i + 1];
        }
        Integer[] idx = new Integer[count];
        for (int i = 0; i < count; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> x[a] != x[b] ? Double.compare(x[a], x[b]) : Double.compare(y[a], y[b]));
        int[] hull = new int[2 * count + 1];
        int k = 0;
        for (int pass = 0; pass < 2; pass++) {
            int floor = k;
            for (int t = 0; t < count; t++) {
                int c = idx[pass == 0 ? t : count - 1 - t];
                while (k >= floor + 2 && cross(x, y, hull[k - 2], hull[k - 1], c) <= 0) {
                    k--;
                }
                hull[k++] = c;
            }
            k--; // the last point of each chain starts the other
        }
        if (count == 1) {
            k = 1;
        }
        double[] out = new double[2 * Math.max(k, 0)];
        for (int i = 0; i < k; i++) {
            out[2 * i] = x[hull[i]];
            out[2 * i + 1] = y[hull[i]];
        }
        return out;
    }

    /** (b − a) × (c − a) of points a, b, c: positive when a → b → c turns counter-clockwise. */
    private static double cross(double[] x, double[] y, int a, int b, int c) {
        return (x[b] - x[a]) * (y[c] - y[a]) - (y[b] - y[a]) * (x[c] - x[a]);
    }

    /**
     * Semi-axes (descending) of the minimum-volume enclosing ellipsoid: Khachiyan's algorithm with Todd and
     * Yıldırım's away steps (Todd &amp; Yıldırım 2007, "On Khachiyan's algorithm for the computation of
     * minimum-volume enclosing ellipsoids"), which converges linearly where plain Khachiyan crawls. Stops when
     * every point lies within the (1 + tol)-scaled ellipsoid of the current weights and every weighted point
     * within tol of its surface (ε₊, ε₋ ≤ tol), or after {@code maxIterations}. The points are centred first:
     * the axes do not move with the points, and X = Σ u q qᵀ stays well conditioned far from the origin.
     * Voxel ROIs' hulls converge in a few steps from the Kumar–Yıldırım start below; random clouds with
     * hundreds of hull vertices close to the optimum may not within 2000 steps (on 40 such clouds of up to
     * 3000 points: axes within 8e-4, volume within 2e-4 of the converged optimum, as before this start).
     *
     * <p>Points that cannot touch the optimal ellipsoid are dropped as the iteration proceeds, by Harman and
     * Pronzato's bound (Statistics &amp; Probability Letters 77, 2007): with lifted dimension m = 4 and
     * max_i q_iᵀX⁻¹q_i = m + ε for the current weights, every support point of the optimum has
     * q_iᵀX⁻¹q_i ≥ m(1 + ε/2 − √(ε(4 + ε − 4/m))/2). The optimum over the remaining points is the optimum over
     * all, so the answer does not change; each step gets cheaper as ε shrinks.
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
        double[] u = initialWeights(q, n);
        final double d1 = 4; // dimension + 1
        // X = Σ u_i q_i q_iᵀ with q_i = (p_i − p̄, 1); each step is a rank-one change, so X is updated, not rebuilt.
        double[][] x = moments(q, u, n);
        // m_i = q_iᵀ X⁻¹ q_i for every point, kept up to date by Sherman–Morrison after each rank-one step
        // (O(n) a step), and recomputed from X every REFRESH steps and before stopping, so rounding cannot drift.
        double[][] xi = invert4(x);
        double[] m = new double[n];
        recompute(q, n, xi, m);
        boolean exact = true;
        int j = 0, k = -1; // the point farthest out, and the weighted point deepest inside
        for (int i = 0; i < n; i++) {
            j = m[i] > m[j] ? i : j;
            k = u[i] > 0 && (k < 0 || m[i] < m[k]) ? i : k;
        }
        double[] v = new double[4];
        for (int it = 0; it < maxIterations; it++) {
            double mj = m[j], mk = k < 0 ? d1 : m[k];
            double epsPlus = mj / d1 - 1, epsMinus = 1 - mk / d1;
            if (Math.max(epsPlus, epsMinus) <= tol && exact) {
                break;
            }
            if (Math.max(epsPlus, epsMinus) <= tol || (it + 1) % REFRESH == 0) {
                // Exact values: to confirm convergence, or to stop rounding drift; then drop the points that
                // cannot support the optimum (needs exact values: the bound is sharp).
                xi = invert4(x);
                recompute(q, n, xi, m);
                int kept = eliminate(q, u, m, n, d1);
                if (kept < n) {
                    n = kept;
                    x = moments(q, u, n);
                    xi = invert4(x);
                    recompute(q, n, xi, m);
                }
                exact = true;
                j = 0;
                k = -1;
                for (int i = 0; i < n; i++) {
                    j = m[i] > m[j] ? i : j;
                    k = u[i] > 0 && (k < 0 || m[i] < m[k]) ? i : k;
                }
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
            double qa0 = q[3 * at], qa1 = q[3 * at + 1], qa2 = q[3 * at + 2];
            double[] qa = {qa0, qa1, qa2, 1};
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    x[r][c] = (1 - grow) * x[r][c] + grow * qa[r] * qa[c];
                }
            }
            // X'⁻¹ = X⁻¹/(1 − g) − g·v vᵀ / ((1 − g)((1 − g) + g·m_a)), v = X⁻¹ q_a; so m_i' likewise with (q_i · v)².
            double ma = m[at], keep = 1 - grow, denom = keep * (keep + grow * ma), f = grow / denom;
            for (int r = 0; r < 4; r++) {
                v[r] = xi[r][0] * qa0 + xi[r][1] * qa1 + xi[r][2] * qa2 + xi[r][3];
            }
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    xi[r][c] = xi[r][c] / keep - f * v[r] * v[c];
                }
            }
            // One pass: the weights' and m_i's updates, and the next step's extremes.
            double ua = Math.max(0, u[at] * keep + grow);
            j = 0;
            k = -1;
            double v0 = v[0], v1 = v[1], v2 = v[2], v3 = v[3], best = Double.NEGATIVE_INFINITY, least = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double g = q[3 * i] * v0 + q[3 * i + 1] * v1 + q[3 * i + 2] * v2 + v3;
                double mi = m[i] / keep - f * g * g;
                m[i] = mi;
                double ui = i == at ? ua : u[i] * keep;
                u[i] = ui;
                if (mi > best) {
                    best = mi;
                    j = i;
                }
                if (ui > 0 && mi < least) {
                    least = mi;
                    k = i;
                }
            }
            exact = false;
        }
        double[] c = new double[3];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 3; r++) {
                c[r] += u[i] * q[3 * i + r];
            }
        }
        double[][] s = new double[3][3];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < 3; r++) {
                for (int t = 0; t < 3; t++) {
                    s[r][t] += u[i] * q[3 * i + r] * q[3 * i + t];
                }
            }
        }
        for (int r = 0; r < 3; r++) {
            for (int t = 0; t < 3; t++) {
                s[r][t] -= c[r] * c[t];
            }
        }
        // A = (1/d) S⁻¹: semi-axes are 1/√(eigenvalues of A) = √(d · eigenvalues of S).
        double[] e = Eigen.symmetric3(s);
        return new double[] {Math.sqrt(3 * e[0]), Math.sqrt(3 * e[1]), Math.sqrt(3 * Math.max(0, e[2]))};
    }

    /**
     * Kumar and Yıldırım's start (J. Optim. Theory Appl. 126, 2005): equal weights on at most six points,
     * the two extremes along each of three mutually orthogonal directions, each direction orthogonal to the
     * differences of the pairs already taken. The iteration then starts near a core set instead of on every
     * point, and needs no away step for the points that never carry weight.
     */
    private static double[] initialWeights(double[] q, int n) {
        double[] u = new double[n];
        double[][] basis = new double[3][];
        int taken = 0;
        for (int axis = 0; axis < 3 && taken < 3; axis++) {
            double[] b = {axis == 0 ? 1 : 0, axis == 1 ? 1 : 0, axis == 2 ? 1 : 0};
            for (int t = 0; t < taken; t++) {
                double dot = b[0] * basis[t][0] + b[1] * basis[t][1] + b[2] * basis[t][2];
                for (int r = 0; r < 3; r++) {
                    b[r] -= dot * basis[t][r];
                }
            }
            if (b[0] * b[0] + b[1] * b[1] + b[2] * b[2] < 1e-6) {
                continue; // this axis lies in the span already taken: the next one does not
            }
            int lo = 0, hi = 0;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double h = b[0] * q[3 * i] + b[1] * q[3 * i + 1] + b[2] * q[3 * i + 2];
                if (h < min) {
                    min = h;
                    lo = i;
                }
                if (h > max) {
                    max = h;
                    hi = i;
                }
            }
            u[lo] += 1;
            u[hi] += 1;
            double[] e = {q[3 * hi] - q[3 * lo], q[3 * hi + 1] - q[3 * lo + 1], q[3 * hi + 2] - q[3 * lo + 2]};
            for (int t = 0; t < taken; t++) {
                double dot = e[0] * basis[t][0] + e[1] * basis[t][1] + e[2] * basis[t][2];
                for (int r = 0; r < 3; r++) {
                    e[r] -= dot * basis[t][r];
                }
            }
            double len = Math.sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
            if (len == 0) {
                continue;
            }
            basis[taken++] = new double[] {e[0] / len, e[1] / len, e[2] / len};
        }
        if (taken < 3) {
            Arrays.fill(u, 1.0 / n); // flat or collinear: the iteration reports it (singular X)
            return u;
        }
        double total = 0;
        for (double w : u) {
            total += w;
        }
        for (int i = 0; i < n; i++) {
            u[i] /= total;
        }
        return u;
    }

    /** Steps between exact recomputations of X⁻¹ and every m_i. */
    private static final int REFRESH = 64;

    /**
     * Harman and Pronzato's deletion: moves the first {@code n} points that may still support the optimum to
     * the front (their weights renormalised to sum 1) and returns how many there are. The bound is lowered by
     * a relative 1e-9 so that rounding in m_i cannot drop a support point.
     */
    private static int eliminate(double[] q, double[] u, double[] m, int n, double d1) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, m[i]);
        }
        double eps = max - d1;
        if (!(eps > 0)) {
            return n;
        }
        double bound = d1 * (1 + eps / 2 - Math.sqrt(eps * (4 + eps - 4 / d1)) / 2) * (1 - 1e-9);
        int w = 0;
        double kept = 0;
        for (int i = 0; i < n; i++) {
            if (m[i] >= bound) {
                q[3 * w] = q[3 * i];
                q[3 * w + 1] = q[3 * i + 1];
                q[3 * w + 2] = q[3 * i + 2];
                u[w] = u[i];
                m[w] = m[i];
                kept += u[i];
                w++;
            }
        }
        if (w < n && kept > 0) {
            for (int i = 0; i < w; i++) {
                u[i] /= kept;
            }
        }
        return w;
    }

    /** X = Σ u_i q_i q_iᵀ over the first n points, q_i = (point i, 1). */
    private static double[][] moments(double[] q, double[] u, int n) {
        double[][] x = new double[4][4];
        for (int i = 0; i < n; i++) {
            double[] qi = {q[3 * i], q[3 * i + 1], q[3 * i + 2], 1};
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    x[r][c] += u[i] * qi[r] * qi[c];
                }
            }
        }
        return x;
    }

    /** m_i = q_iᵀ X⁻¹ q_i with q_i = (point i, 1), for the first n points. */
    private static void recompute(double[] q, int n, double[][] xi, double[] m) {
        for (int i = 0; i < n; i++) {
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
