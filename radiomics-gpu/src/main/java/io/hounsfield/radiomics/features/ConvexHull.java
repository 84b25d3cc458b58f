package io.hounsfield.radiomics.features;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The convex hull of a 3-D point set, incremental (each point outside the current hull replaces the
 * faces it sees by a cone to the horizon). Callers first cut the input to candidates (row extremes), so
 * the point count stays small. Degenerate (flat or collinear) sets have no hull: volume and area 0.
 */
final class ConvexHull {

    private final double[] p; // x, y, z
    private final List<int[]> faces = new ArrayList<>();
    private final double eps;

    private ConvexHull(double[] points) {
        this.p = points;
        double scale = 0;
        for (double v : points) {
            scale = Math.max(scale, Math.abs(v));
        }
        this.eps = 1e-9 * Math.max(1, scale);
    }

    static ConvexHull of(double[] points) {
        ConvexHull h = new ConvexHull(points);
        h.build();
        return h;
    }

    private int n() {
        return p.length / 3;
    }

    private void build() {
        int n = n();
        if (n < 4) {
            return;
        }
        // Initial tetrahedron: two far-apart points, the point farthest from their line, then from their plane.
        int a = 0, b = 0;
        for (int i = 1; i < n; i++) {
            if (p[3 * i] < p[3 * a]) {
                a = i;
            }
            if (p[3 * i] > p[3 * b]) {
                b = i;
            }
        }
        if (a == b) {
            return;
        }
        int c = -1;
        double best = eps;
        for (int i = 0; i < n; i++) {
            double d = norm(cross(sub(i, a), sub(b, a)));
            if (d > best) {
                best = d;
                c = i;
            }
        }
        if (c < 0) {
            return;
        }
        int d = -1;
        best = eps;
        double[] nrm = cross(sub(b, a), sub(c, a));
        for (int i = 0; i < n; i++) {
            double dist = Math.abs(dot(nrm, sub(i, a)));
            if (dist > best * norm(nrm)) {
                best = dist / norm(nrm);
                d = i;
            }
        }
        if (d < 0) {
            return;
        }
        if (dot(nrm, sub(d, a)) > 0) { // orient faces outward: d must be behind face (a, b, c)
            int t = b;
            b = c;
            c = t;
        }
        faces.add(new int[] {a, b, c});
        faces.add(new int[] {a, d, b});
        faces.add(new int[] {b, d, c});
        faces.add(new int[] {c, d, a});
        for (int i = 0; i < n; i++) {
            if (i != a && i != b && i != c && i != d) {
                add(i);
            }
        }
    }

    private void add(int q) {
        List<int[]> visible = new ArrayList<>();
        for (int[] f : faces) {
            if (above(f, q)) {
                visible.add(f);
            }
        }
        if (visible.isEmpty()) {
            return;
        }
        // Horizon: directed edges of visible faces whose reverse is not on another visible face.
        Map<Long, int[]> edges = new HashMap<>();
        for (int[] f : visible) {
            for (int k = 0; k < 3; k++) {
                int u = f[k], v = f[(k + 1) % 3];
                long rev = (long) v << 32 | u;
                if (edges.remove(rev) == null) {
                    edges.put((long) u << 32 | v, new int[] {u, v});
                }
            }
        }
        faces.removeAll(visible);
        for (int[] e : edges.values()) {
            faces.add(new int[] {e[0], e[1], q});
        }
    }

    private boolean above(int[] f, int q) {
        double[] nrm = cross(sub(f[1], f[0]), sub(f[2], f[0]));
        return dot(nrm, sub(q, f[0])) > eps * norm(nrm);
    }

    double volume() {
        if (faces.isEmpty()) {
            return 0;
        }
        double v = 0;
        for (int[] f : faces) {
            v += dot(pt(f[0]), cross(pt(f[1]), pt(f[2])));
        }
        return Math.abs(v) / 6;
    }

    double area() {
        double s = 0;
        for (int[] f : faces) {
            s += norm(cross(sub(f[1], f[0]), sub(f[2], f[0]))) / 2;
        }
        return s;
    }

    /** The input points (x, y, z each). */
    double[] points() {
        return p;
    }

    /** Indices of the hull's vertices. */
    int[] vertices() {
        return faces.stream().flatMapToInt(java.util.Arrays::stream).distinct().toArray();
    }

    private double[] pt(int i) {
        return new double[] {p[3 * i], p[3 * i + 1], p[3 * i + 2]};
    }

    private double[] sub(int i, int j) {
        return new double[] {p[3 * i] - p[3 * j], p[3 * i + 1] - p[3 * j + 1], p[3 * i + 2] - p[3 * j + 2]};
    }

    private static double[] cross(double[] u, double[] v) {
        return new double[] {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    }

    private static double dot(double[] u, double[] v) {
        return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
    }

    private static double norm(double[] u) {
        return Math.sqrt(dot(u, u));
    }
}
