package io.hounsfield.core.mesh;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;

import java.util.ArrayList;
import java.util.List;

/**
 * The marching-cubes surface of one label of a mask at iso-level 0.5, as IBSI's morphology features
 * use it (IBSI §3.1): cubes span eight neighbouring voxel centres (the mask padded with background
 * so the surface closes), and each vertex lies at the midpoint of a cube edge whose ends differ.
 *
 * <p>Instead of the usual 256-case lookup table, each cube's polygons are built from its faces: on
 * every face, each maximal run of inside corners (counter-clockwise, seen from outside) is cut off by
 * one segment from the edge leaving the run to the edge entering it. Ambiguous faces (two diagonal
 * inside corners) thus separate the inside corners, consistently for both cubes sharing the face, so
 * the mesh is watertight and consistently oriented. The segments chain into closed loops, each
 * triangulated by {@link #triangulate}.
 */
public final class MarchingCubes {

    /** Corner k of a cube sits at (k & 1, k >> 1 & 1, k >> 2 & 1). */
    private static final int[][] FACES;
    /** Edge id of a corner pair (0..11), -1 if the corners do not share an edge. */
    private static final int[][] EDGE_OF = new int[8][8];
    private static final int[][] EDGE_CORNERS = new int[12][];

    static {
        int id = 0;
        for (int[] row : EDGE_OF) {
            java.util.Arrays.fill(row, -1);
        }
        for (int a = 0; a < 8; a++) {
            for (int bit = 0; bit < 3; bit++) {
                if ((a >> bit & 1) == 0) {
                    int b = a | 1 << bit;
                    EDGE_OF[a][b] = EDGE_OF[b][a] = id;
                    EDGE_CORNERS[id++] = new int[] {a, b};
                }
            }
        }
        // Six faces: fix one axis to 0 or 1, order the four corners counter-clockwise seen from outside.
        List<int[]> faces = new ArrayList<>();
        for (int axis = 0; axis < 3; axis++) {
            for (int side = 0; side < 2; side++) {
                int u = (axis + 1) % 3, v = (axis + 2) % 3;
                int[] c = new int[4];
                int[][] uv = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
                for (int k = 0; k < 4; k++) {
                    c[k] = side << axis | uv[k][0] << u | uv[k][1] << v;
                }
                // (u, v, axis) is right-handed, so this order is counter-clockwise seen from +axis.
                if (side == 0) {
                    c = new int[] {c[0], c[3], c[2], c[1]};
                }
                faces.add(c);
            }
        }
        FACES = faces.toArray(int[][]::new);
    }

    private MarchingCubes() {
    }

    /** A growable double array (no boxing: meshes of organs have hundreds of thousands of vertices). */
    static final class DoubleList {
        private double[] a = new double[1024];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        double get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    static final class IntList {
        private int[] a = new int[1024];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** Open-addressing long → int map (keys ≥ 0; -1 means absent). */
    static final class LongIntMap {
        private long[] keys = new long[1 << 12];
        private int[] values = new int[1 << 12];
        private int size;

        LongIntMap() {
            java.util.Arrays.fill(keys, -1);
        }

        int get(long k) {
            int mask = keys.length - 1;
            for (int i = mix(k) & mask; ; i = (i + 1) & mask) {
                if (keys[i] == k) {
                    return values[i];
                }
                if (keys[i] == -1) {
                    return -1;
                }
            }
        }

        void put(long k, int v) {
            if (2 * (size + 1) > keys.length) {
                long[] ok = keys;
                int[] ov = values;
                keys = new long[2 * ok.length];
                values = new int[2 * ok.length];
                java.util.Arrays.fill(keys, -1);
                size = 0;
                for (int i = 0; i < ok.length; i++) {
                    if (ok[i] != -1) {
                        put(ok[i], ov[i]);
                    }
                }
            }
            int mask = keys.length - 1;
            int i = mix(k) & mask;
            while (keys[i] != -1 && keys[i] != k) {
                i = (i + 1) & mask;
            }
            if (keys[i] == -1) {
                size++;
            }
            keys[i] = k;
            values[i] = v;
        }

        private static int mix(long k) {
            long h = k * 0x9E3779B97F4A7C15L;
            return (int) (h ^ h >>> 32);
        }
    }

    /** The surface of {@code label} in world coordinates; empty if the label is absent. */
    public static Mesh of(Mask mask, int label) {
        return mask.boundingBox(label).map(b -> of(mask, label, b)).orElseGet(() -> new Mesh(new double[0], new int[0]));
    }

    /**
     * As {@link #of(Mask, int)}, given a box that holds every voxel of {@code label} (e.g. its bounding
     * box, already known to the caller), so the mask is not scanned again.
     */
    public static Mesh of(Mask mask, int label, IndexBox b) {
        Geometry g = mask.geometry();
        Extent e = g.extent();
        // The label's occupancy over the box grown by one (background outside the image): the padding closes the surface.
        int px = b.x1() - b.x0() + 2, py = b.y1() - b.y0() + 2;
        byte[] occ = occupancy(mask, label, b);
        int[] cornerOffset = cornerOffsets(px, py);
        double[] affine = g.indexToWorldMatrix();
        DoubleList coords = new DoubleList();
        LongIntMap vertexOfEdge = new LongIntMap();
        IntList tris = new IntList();
        // Every cube of one configuration gets the same loops and triangulation: work them out once per call.
        Polygons[] byConfig = new Polygons[256];
        int[] vertexOf = new int[12];
        // Cube (x, y, z) spans voxel centres x..x+1 etc.; starting one before the box pads with background.
        for (int z = b.z0() - 1; z < b.z1(); z++) {
            for (int y = b.y0() - 1; y < b.y1(); y++) {
                int base = ((z - b.z0() + 1) * py + (y - b.y0() + 1)) * px;
                for (int x = b.x0() - 1; x < b.x1(); x++) {
                    int at = base + x - b.x0() + 1, config = config(occ, at, cornerOffset);
                    if (config == 0 || config == 255) {
                        continue;
                    }
                    Polygons poly = byConfig[config];
                    if (poly == null) {
                        poly = byConfig[config] = Polygons.of(config, affine);
                    }
                    for (int edge : poly.edges) {
                        vertexOf[edge] = vertex(edge, x, y, z, affine, e, coords, vertexOfEdge);
                    }
                    for (int edge : poly.triangles) {
                        tris.add(vertexOf[edge]);
                    }
                }
            }
        }
        double[] v = coords.toArray();
        int[] t = tris.toArray();
        Mesh m = new Mesh(v, t);
        if (m.volume() < 0) { // orientation is consistent; make it outward
            for (int i = 0; i < t.length; i += 3) {
                int s = t[i + 1];
                t[i + 1] = t[i + 2];
                t[i + 2] = s;
            }
        }
        return m;
    }

    /**
     * The polygons of one cube configuration: {@code edges}, the cut edges in loop order (vertices are
     * created in this order), and {@code triangles}, three edge ids per triangle.
     */
    record Polygons(int[] edges, int[] triangles) {

        static Polygons of(int config, double[] affine) {
            boolean[] inside = new boolean[8];
            for (int k = 0; k < 8; k++) {
                inside[k] = (config >> k & 1) != 0;
            }
            int[] next = new int[12];
            java.util.Arrays.fill(next, -1);
            for (int[] f : FACES) {
                // Entering edge: corner i outside, i+1 inside; leaving: i inside, i+1 outside.
                int entering = -1, firstLeaving = -1;
                for (int step = 0; step < 8; step++) {
                    int i = step % 4, j = (step + 1) % 4;
                    boolean in = inside[f[i]], inNext = inside[f[j]];
                    int edge = EDGE_OF[f[i]][f[j]];
                    if (!in && inNext) {
                        entering = edge;
                    } else if (in && !inNext && entering >= 0) {
                        if (edge == firstLeaving) {
                            break;
                        }
                        if (firstLeaving < 0) {
                            firstLeaving = edge;
                        }
                        next[edge] = entering; // segment from the leaving edge to the entering edge
                        entering = -1;
                    }
                }
            }
            // Edge midpoints of the cube at the origin (only differences matter to the triangulation).
            DoubleList c = new DoubleList();
            for (int edge = 0; edge < 12; edge++) {
                double[] p = midpoint(edge, 0, 0, 0, affine);
                c.add(p[0]);
                c.add(p[1]);
                c.add(p[2]);
            }
            IntList order = new IntList(), tris = new IntList();
            List<Integer> loop = new ArrayList<>(12);
            for (int start = 0; start < 12; start++) {
                if (next[start] < 0) {
                    continue;
                }
                loop.clear();
                for (int edge = start; next[edge] >= 0; ) {
                    loop.add(edge);
                    order.add(edge);
                    int n = next[edge];
                    next[edge] = -1;
                    edge = n;
                }
                triangulate(loop, c, tris);
            }
            return new Polygons(order.toArray(), tris.toArray());
        }
    }

    /** The polygons of cube configuration {@code config} (1..254) on a grid with index-to-world map {@code affine}. */
    static Polygons polygons(int config, double[] affine) {
        return Polygons.of(config, affine);
    }

    /** Twice the position of cube edge {@code edge}'s midpoint inside the cube at the origin (integers 0..2). */
    static int[] doubledMidpoint(int edge) {
        int a = EDGE_CORNERS[edge][0], b = EDGE_CORNERS[edge][1];
        return new int[] {(a & 1) + (b & 1), (a >> 1 & 1) + (b >> 1 & 1), (a >> 2 & 1) + (b >> 2 & 1)};
    }

    /**
     * The {@link SurfaceCounts} of {@code label} within {@code b} (a box holding every voxel of the label),
     * without building the surface: the CPU's reference for every backend.
     */
    public static SurfaceCounts counts(Mask mask, int label, IndexBox b) {
        int px = b.x1() - b.x0() + 2, py = b.y1() - b.y0() + 2, pz = b.z1() - b.z0() + 2;
        byte[] occ = occupancy(mask, label, b);
        long[] words = new long[4 * 256]; // per configuration: cubes, Σi, Σj, Σk (relative to the padded box)
        int[] cornerOffset = cornerOffsets(px, py);
        // Cube (i, j, k) of the padded box spans voxel centres i..i+1 etc.; its lower corner is image voxel
        // (x0 − 1 + i, ...).
        for (int k = 0; k < pz - 1; k++) {
            for (int j = 0; j < py - 1; j++) {
                int base = (k * py + j) * px;
                for (int i = 0; i < px - 1; i++) {
                    int config = config(occ, base + i, cornerOffset);
                    if (config != 0 && config != 255) {
                        words[4 * config]++;
                        words[4 * config + 1] += i;
                        words[4 * config + 2] += j;
                        words[4 * config + 3] += k;
                    }
                }
            }
        }
        // Row ends: rows (Y, Z) of doubled coordinates; a cut x-edge sits on row (2j, 2k) at X = 2i + 1, a cut
        // y-edge on (2j + 1, 2k) at X = 2i, a cut z-edge on (2j, 2k + 1) at X = 2i.
        int rowsY = 2 * py - 1, rowsZ = 2 * pz - 1;
        int[] lo = new int[rowsY * rowsZ], hi = new int[lo.length];
        java.util.Arrays.fill(lo, Integer.MAX_VALUE);
        java.util.Arrays.fill(hi, -1);
        for (int k = 0; k < pz; k++) {
            for (int j = 0; j < py; j++) {
                int at = (k * py + j) * px;
                for (int i = 0; i < px; i++) {
                    int v = occ[at + i];
                    if (i + 1 < px && occ[at + i + 1] != v) {
                        extreme(lo, hi, (2 * k) * rowsY + 2 * j, 2 * i + 1);
                    }
                    if (j + 1 < py && occ[at + i + px] != v) {
                        extreme(lo, hi, (2 * k) * rowsY + 2 * j + 1, 2 * i);
                    }
                    if (k + 1 < pz && occ[at + i + px * py] != v) {
                        extreme(lo, hi, (2 * k + 1) * rowsY + 2 * j, 2 * i);
                    }
                }
            }
        }
        return assemble(words, lo, hi, b);
    }

    /**
     * The {@link SurfaceCounts} of box {@code b} from what every backend computes over its padded
     * occupancy: {@code words}, per configuration the cube count and the sums of the cubes' i, j, k (relative
     * to the padded box); {@code lo} and {@code hi}, each row's ends (hi &lt; 0: an empty row). Shared by every
     * backend, so equal inputs give equal counts.
     */
    public static SurfaceCounts assemble(long[] words, int[] lo, int[] hi, IndexBox b) {
        int py = b.y1() - b.y0() + 2, pz = b.z1() - b.z0() + 2;
        if (words.length != 4 * 256 || lo.length != (2 * py - 1) * (2 * pz - 1) || hi.length != lo.length) {
            throw new IllegalArgumentException("surface words and row ends do not fit the box " + b);
        }
        long[] configs = new long[256], sums = new long[768];
        for (int c = 0; c < 256; c++) {
            long n = words[4 * c];
            configs[c] = n;
            sums[3 * c] = words[4 * c + 1] + n * (b.x0() - 1);
            sums[3 * c + 1] = words[4 * c + 2] + n * (b.y0() - 1);
            sums[3 * c + 2] = words[4 * c + 3] + n * (b.z0() - 1);
        }
        return new SurfaceCounts(configs, sums, rowEnds(lo, hi, 2 * py - 1, b));
    }

    private static void extreme(int[] lo, int[] hi, int row, int x) {
        lo[row] = Math.min(lo[row], x);
        hi[row] = Math.max(hi[row], x);
    }

    /**
     * The row ends that are vertices of their plane's convex outline, as (X, Y, Z) image-doubled triples,
     * rows in order. Surface vertices lie on planes of constant Z; a point inside its plane's outline (or
     * inside one of its edges) is a convex combination of others and cannot be a vertex of the 3-D hull, so
     * only the outline's vertices are kept. Found per plane by Andrew's monotone chain over the row ends,
     * which come sorted by (Y, X); integer arithmetic, so every backend keeps the same points.
     */
    private static int[] rowEnds(int[] lo, int[] hi, int rowsY, IndexBox b) {
        int planes = lo.length / rowsY;
        int[] px = new int[2 * rowsY], py = new int[2 * rowsY], chain = new int[4 * rowsY + 1];
        boolean[] keep = new boolean[2 * rowsY];
        int[] out = new int[48];
        int ox = 2 * (b.x0() - 1), oy = 2 * (b.y0() - 1), oz = 2 * (b.z0() - 1), k = 0;
        for (int z = 0; z < planes; z++) {
            int n = 0;
            for (int y = 0; y < rowsY; y++) {
                int r = z * rowsY + y;
                if (hi[r] < 0) {
                    continue;
                }
                px[n] = lo[r];
                py[n++] = y;
                if (hi[r] != lo[r]) {
                    px[n] = hi[r];
                    py[n++] = y;
                }
            }
            java.util.Arrays.fill(keep, 0, n, n <= 2);
            if (n > 2) {
                // Lower then upper chain in (Y, X) order; a point that does not turn strictly is dropped.
                int h = 0;
                for (int pass = 0; pass < 2; pass++) {
                    int start = h;
                    for (int t = 0; t < n; t++) {
                        int i = pass == 0 ? t : n - 1 - t;
                        while (h >= start + 2 && turn(py, px, chain[h - 2], chain[h - 1], i) <= 0) {
                            h--;
                        }
                        chain[h++] = i;
                    }
                    h--;
                }
                for (int t = 0; t < h; t++) {
                    keep[chain[t]] = true;
                }
            }
            for (int i = 0; i < n; i++) {
                if (!keep[i]) {
                    continue;
                }
                if (k + 3 > out.length) {
                    out = java.util.Arrays.copyOf(out, 2 * out.length);
                }
                out[k++] = px[i] + ox;
                out[k++] = py[i] + oy;
                out[k++] = z + oz;
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /** Cross product of (a − o) and (b − o) for points (u, v). */
    private static long turn(int[] u, int[] v, int o, int a, int b) {
        return (long) (u[a] - u[o]) * (v[b] - v[o]) - (long) (v[a] - v[o]) * (u[b] - u[o]);
    }

    /** The configuration of the cube whose first corner is {@code at}: bit k set when corner k is inside. */
    private static int config(byte[] occ, int at, int[] cornerOffset) {
        int config = 0;
        for (int k = 0; k < 8; k++) {
            config |= occ[at + cornerOffset[k]] << k;
        }
        return config;
    }

    /** Offsets of a cube's eight corners from its first in a padded occupancy of rows {@code px}, slices {@code px × py}. */
    private static int[] cornerOffsets(int px, int py) {
        int[] o = new int[8];
        for (int k = 0; k < 8; k++) {
            o[k] = ((k >> 2 & 1) * py + (k >> 1 & 1)) * px + (k & 1);
        }
        return o;
    }

    /** The label's 0/1 occupancy over {@code b} grown by one voxel on every side (background outside the image). */
    public static byte[] occupancy(Mask mask, int label, IndexBox b) {
        return mask.indicator(label, b, 1);
    }

    /**
     * Triangulates a loop (3–12 vertices) by the triangulation of largest total area, found by dynamic
     * programming over its diagonals. Loops of binary masks with mid-edge vertices are often non-planar;
     * the largest-area triangulation bulges away from the inside corners, as the classic case table's
     * does, and reproduces IBSI's mesh volume and area on the digital phantom (556.3 mm³, 388.1 mm²),
     * where a plain fan gives 553 mm³.
     */
    private static void triangulate(List<Integer> loop, DoubleList c, IntList tris) {
        int n = loop.size();
        double[][] best = new double[n][n];
        int[][] split = new int[n][n];
        for (int len = 2; len < n; len++) {
            for (int i = 0; i + len < n; i++) {
                int j = i + len;
                best[i][j] = -1;
                for (int k = i + 1; k < j; k++) {
                    double a = triangleArea(loop.get(i), loop.get(k), loop.get(j), c) + best[i][k] + best[k][j];
                    // Equal areas (symmetric loops) must not be decided by rounding, which a rotation changes.
                    if (a > best[i][j] + 1e-9 * Math.abs(a)) {
                        best[i][j] = a;
                        split[i][j] = k;
                    }
                }
            }
        }
        emit(0, n - 1, split, loop, tris);
    }

    private static void emit(int i, int j, int[][] split, List<Integer> loop, IntList tris) {
        if (j - i < 2) {
            return;
        }
        int k = split[i][j];
        tris.add(loop.get(i));
        tris.add(loop.get(k));
        tris.add(loop.get(j));
        emit(i, k, split, loop, tris);
        emit(k, j, split, loop, tris);
    }

    private static double triangleArea(int a, int b, int d, DoubleList c) {
        double ux = c.get(3 * b) - c.get(3 * a), uy = c.get(3 * b + 1) - c.get(3 * a + 1), uz = c.get(3 * b + 2) - c.get(3 * a + 2);
        double vx = c.get(3 * d) - c.get(3 * a), vy = c.get(3 * d + 1) - c.get(3 * a + 1), vz = c.get(3 * d + 2) - c.get(3 * a + 2);
        double x = uy * vz - uz * vy, y = uz * vx - ux * vz, z = ux * vy - uy * vx;
        return Math.sqrt(x * x + y * y + z * z) / 2;
    }

    /** World position of the midpoint of cube edge {@code edge} of the cube at (x, y, z). */
    private static double[] midpoint(int edge, int x, int y, int z, double[] m) {
        int a = EDGE_CORNERS[edge][0], b = EDGE_CORNERS[edge][1];
        int axis = Integer.numberOfTrailingZeros(a ^ b);
        double i = x + (a & 1) + (axis == 0 ? 0.5 : 0), j = y + (a >> 1 & 1) + (axis == 1 ? 0.5 : 0), k = z + (a >> 2 & 1) + (axis == 2 ? 0.5 : 0);
        double[] p = new double[3];
        for (int r = 0; r < 3; r++) {
            p[r] = m[4 * r] * i + m[4 * r + 1] * j + m[4 * r + 2] * k + m[4 * r + 3];
        }
        return p;
    }

    /** The shared vertex at the midpoint of cube edge {@code edge} of the cube at (x, y, z). */
    private static int vertex(int edge, int x, int y, int z, double[] affine, Extent e, DoubleList coords, LongIntMap index) {
        int a = EDGE_CORNERS[edge][0], b = EDGE_CORNERS[edge][1];
        int ax = x + (a & 1), ay = y + (a >> 1 & 1), az = z + (a >> 2 & 1);
        int axis = Integer.numberOfTrailingZeros(a ^ b);
        // Key: the edge's lower corner (shifted by one for the padding) and its axis.
        long key = (((long) (az + 1) * (e.ny() + 2) + (ay + 1)) * (e.nx() + 2) + (ax + 1)) * 3 + axis;
        int found = index.get(key);
        if (found >= 0) {
            return found;
        }
        double[] p = midpoint(edge, x, y, z, affine);
        int id = coords.size() / 3;
        coords.add(p[0]);
        coords.add(p[1]);
        coords.add(p[2]);
        index.put(key, id);
        return id;
    }
}
