package io.hounsfield.radiomics.features;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The convex hull of a 3-D point set by QuickHull (Barber, Dobkin and Huhdanpaa, 1996): every face
 * keeps the points outside it (its conflict list); the farthest of them is added next, the faces it
 * sees are found by walking face adjacency, and only their conflict points are redistributed. Expected
 * O(n log n). Degenerate (flat or collinear) sets have no hull: volume and area 0.
 */
final class ConvexHull {

    private static final class Face {
        final int a, b, c;
        final double nx, ny, nz, offset; // outward normal (unnormalised) and n·a
        final double norm; // |n|: twice the face's area
        /** The faces across edges a→b, b→c and c→a. */
        final Face[] across = new Face[3];
        int[] outside = new int[4];
        int outsideCount;
        boolean dead;
        int id;

        Face(int a, int b, int c, double[] p) {
            this.a = a;
            this.b = b;
            this.c = c;
            double ux = p[3 * b] - p[3 * a], uy = p[3 * b + 1] - p[3 * a + 1], uz = p[3 * b + 2] - p[3 * a + 2];
            double vx = p[3 * c] - p[3 * a], vy = p[3 * c + 1] - p[3 * a + 1], vz = p[3 * c + 2] - p[3 * a + 2];
            nx = uy * vz - uz * vy;
            ny = uz * vx - ux * vz;
            nz = ux * vy - uy * vx;
            offset = nx * p[3 * a] + ny * p[3 * a + 1] + nz * p[3 * a + 2];
            norm = Math.sqrt(nx * nx + ny * ny + nz * nz);
        }

        int vertex(int k) {
            return k == 0 ? a : k == 1 ? b : c;
        }

        /** The edge index k with edge k = u→v, or −1. */
        int edge(int u, int v) {
            for (int k = 0; k < 3; k++) {
                if (vertex(k) == u && vertex((k + 1) % 3) == v) {
                    return k;
                }
            }
            return -1;
        }

        double distance(double[] p, int i) {
            return nx * p[3 * i] + ny * p[3 * i + 1] + nz * p[3 * i + 2] - offset;
        }

        double norm() {
            return norm;
        }

        void addOutside(int i) {
            if (outsideCount == outside.length) {
                outside = java.util.Arrays.copyOf(outside, 2 * outside.length);
            }
            outside[outsideCount++] = i;
        }
    }

    private final double[] p;
    private final double eps;
    /** Every face made, dead ones too (a few per point: sized once rather than grown many times). */
    private final List<Face> faces;

    private ConvexHull(double[] points) {
        this.p = points;
        this.faces = new ArrayList<>(Math.max(16, 4 * (points.length / 3)));
        double scale = 0;
        for (double v : points) {
            scale = Math.max(scale, Math.abs(v));
        }
        this.eps = 1e-10 * Math.max(1, scale);
    }

    static ConvexHull of(double[] points) {
        ConvexHull h = new ConvexHull(points);
        h.build();
        h.vertices = h.findVertices();
        return h;
    }

    double[] points() {
        return p;
    }

    private Face addFace(int a, int b, int c) {
        Face f = new Face(a, b, c, p);
        faces.add(f);
        return f;
    }

    private void build() {
        int n = p.length / 3;
        if (n < 4) {
            return;
        }
        int[] t = initialTetrahedron(n);
        if (t == null) {
            return;
        }
        List<Face> start = List.of(addFace(t[0], t[1], t[2]), addFace(t[0], t[3], t[1]), addFace(t[1], t[3], t[2]), addFace(t[2], t[3], t[0]));
        for (Face f : start) {
            for (int k = 0; k < 3; k++) {
                int u = f.vertex(k), v = f.vertex((k + 1) % 3);
                for (Face g : start) {
                    if (g.edge(v, u) >= 0) {
                        f.across[k] = g;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (i != t[0] && i != t[1] && i != t[2] && i != t[3]) {
                assign(i, start);
            }
        }
        // The horizon of each step: edge u→v of a visible face, and the face beyond it that stays. The new
        // faces (u, v, far) meet each other along (v, far): byStart / byEnd find them by u and v.
        int[] byStart = new int[n], byEnd = new int[n];
        java.util.Arrays.fill(byStart, -1);
        java.util.Arrays.fill(byEnd, -1);
        List<Face> visible = new ArrayList<>(), created = new ArrayList<>(), beyond = new ArrayList<>();
        int[] hu = new int[16], hv = new int[16];
        ArrayDeque<Face> work = new ArrayDeque<>(start), stack = new ArrayDeque<>();
        while (!work.isEmpty()) {
            Face f = work.poll();
            if (f.dead || f.outsideCount == 0) {
                continue;
            }
            int far = f.outside[0];
            double best = f.distance(p, far);
            for (int k = 1; k < f.outsideCount; k++) {
                double d = f.distance(p, f.outside[k]);
                if (d > best) {
                    best = d;
                    far = f.outside[k];
                }
            }
            // Faces visible from the point: a walk over adjacency from f.
            visible.clear();
            beyond.clear();
            int horizon = 0;
            f.dead = true;
            stack.push(f);
            while (!stack.isEmpty()) {
                Face v = stack.pop();
                visible.add(v);
                for (int k = 0; k < 3; k++) {
                    Face nb = v.across[k];
                    if (nb.dead) {
                        continue;
                    }
                    if (nb.distance(p, far) > eps * nb.norm()) {
                        nb.dead = true;
                        stack.push(nb);
                    } else {
                        if (horizon == hu.length) {
                            hu = java.util.Arrays.copyOf(hu, 2 * horizon);
                            hv = java.util.Arrays.copyOf(hv, 2 * horizon);
                        }
                        hu[horizon] = v.vertex(k);
                        hv[horizon++] = v.vertex((k + 1) % 3);
                        beyond.add(nb);
                    }
                }
            }
            created.clear();
            for (int e = 0; e < horizon; e++) {
                Face nf = addFace(hu[e], hv[e], far);
                Face g = beyond.get(e);
                nf.across[0] = g;
                g.across[g.edge(hv[e], hu[e])] = nf;
                created.add(nf);
                byStart[hu[e]] = e;
                byEnd[hv[e]] = e;
            }
            for (int e = 0; e < horizon; e++) {
                int next = byStart[hv[e]], prev = byEnd[hu[e]];
                if (next < 0 || prev < 0) {
                    throw new IllegalStateException("convex hull: the horizon of point " + far + " is not a closed loop");
                }
                created.get(e).across[1] = created.get(next);
                created.get(e).across[2] = created.get(prev);
            }
            for (int e = 0; e < horizon; e++) {
                byStart[hu[e]] = -1;
                byEnd[hv[e]] = -1;
            }
            for (Face v : visible) {
                for (int k = 0; k < v.outsideCount; k++) {
                    if (v.outside[k] != far) {
                        assign(v.outside[k], created);
                    }
                }
                v.outside = null;
            }
            work.addAll(created);
        }
        faces.removeIf(x -> x.dead);
        for (int i = 0; i < faces.size(); i++) {
            faces.get(i).id = i;
        }
    }

    /** Puts point i on the first face it lies outside of; points inside all of them are dropped. */
    private void assign(int i, List<Face> candidates) {
        for (Face f : candidates) {
            if (f.distance(p, i) > eps * f.norm()) {
                f.addOutside(i);
                return;
            }
        }
    }

    private int[] initialTetrahedron(int n) {
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
            return null;
        }
        int c = -1;
        double best = 0;
        for (int i = 0; i < n; i++) {
            double d = norm(cross(sub(i, a), sub(b, a)));
            if (d > best) {
                best = d;
                c = i;
            }
        }
        if (c < 0 || best <= eps * norm(sub(b, a))) {
            return null;
        }
        double[] nrm = cross(sub(b, a), sub(c, a));
        int d = -1;
        best = 0;
        for (int i = 0; i < n; i++) {
            double dist = Math.abs(dot(nrm, sub(i, a)));
            if (dist > best) {
                best = dist;
                d = i;
            }
        }
        if (d < 0 || best <= eps * norm(nrm)) {
            return null;
        }
        return dot(nrm, sub(d, a)) > 0 ? new int[] {a, c, b, d} : new int[] {a, b, c, d};
    }

    double volume() {
        if (faces.isEmpty()) {
            return 0;
        }
        // Signed tetrahedra from an interior-ish reference point (the first vertex) for accuracy.
        Face f0 = faces.getFirst();
        double ox = p[3 * f0.a], oy = p[3 * f0.a + 1], oz = p[3 * f0.a + 2], v = 0;
        for (Face f : faces) {
            double ax = p[3 * f.a] - ox, ay = p[3 * f.a + 1] - oy, az = p[3 * f.a + 2] - oz;
            double bx = p[3 * f.b] - ox, by = p[3 * f.b + 1] - oy, bz = p[3 * f.b + 2] - oz;
            double cx = p[3 * f.c] - ox, cy = p[3 * f.c + 1] - oy, cz = p[3 * f.c + 2] - oz;
            v += ax * (by * cz - bz * cy) - ay * (bx * cz - bz * cx) + az * (bx * cy - by * cx);
        }
        return Math.abs(v) / 6;
    }

    double area() {
        double s = 0;
        for (Face f : faces) {
            s += f.norm() / 2;
        }
        return s;
    }

    /**
     * The hull's triangles as arrays, largest first: corners (a b c each, counter-clockwise seen from
     * outside), unit outward normals (x y z each), and for each triangle the triangles across its edges
     * a→b, b→c, c→a (indices into the same order). Every edge has exactly one triangle on each side.
     */
    record Triangles(int[] corners, double[] normals, int[] neighbours) {
        int count() {
            return corners.length / 3;
        }
    }

    private Triangles triangles;

    Triangles triangles() {
        if (triangles == null) {
            List<Face> byArea = new ArrayList<>(faces);
            byArea.sort((f, g) -> Double.compare(g.norm(), f.norm()));
            int n = byArea.size();
            int[] rank = new int[n];
            for (int i = 0; i < n; i++) {
                rank[byArea.get(i).id] = i;
            }
            int[] corners = new int[3 * n], neighbours = new int[3 * n];
            double[] normals = new double[3 * n];
            for (int i = 0; i < n; i++) {
                Face f = byArea.get(i);
                double l = f.norm();
                corners[3 * i] = f.a;
                corners[3 * i + 1] = f.b;
                corners[3 * i + 2] = f.c;
                normals[3 * i] = f.nx / l;
                normals[3 * i + 1] = f.ny / l;
                normals[3 * i + 2] = f.nz / l;
                for (int k = 0; k < 3; k++) {
                    neighbours[3 * i + k] = rank[f.across[k].id];
                }
            }
            triangles = new Triangles(corners, normals, neighbours);
        }
        return triangles;
    }

    /** Coordinates of the hull's vertices, x y z each. */
    double[] vertexPoints() {
        int[] v = vertices();
        double[] out = new double[3 * v.length];
        for (int i = 0; i < v.length; i++) {
            System.arraycopy(p, 3 * v[i], out, 3 * i, 3);
        }
        return out;
    }

    /** Found once the hull is built (callers only read it). */
    private int[] vertices;

    /** Indices of the hull's vertices, ascending. */
    int[] vertices() {
        return vertices;
    }

    private int[] findVertices() {
        boolean[] on = new boolean[p.length / 3];
        int count = 0;
        for (Face f : faces) {
            for (int k = 0; k < 3; k++) {
                int v = f.vertex(k);
                count += on[v] ? 0 : 1;
                on[v] = true;
            }
        }
        int[] out = new int[count];
        for (int i = 0, k = 0; i < on.length; i++) {
            if (on[i]) {
                out[k++] = i;
            }
        }
        return out;
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
