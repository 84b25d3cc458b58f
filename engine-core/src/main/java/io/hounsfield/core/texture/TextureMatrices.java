package io.hounsfield.core.texture;

/**
 * The IBSI texture matrices of a {@link LevelGrid}, restricted to slices z0..z1−1 (one slice for IBSI's
 * 2D matrices, all for 3D; neighbours outside the range do not count). Neighbourhoods are IBSI's
 * defaults: Chebyshev distance 1 (26 neighbours in 3D, 8 in a slice), zones 26- or 8-connected, distances
 * to the ROI edge 6- or 4-connected. Every builder visits each voxel a bounded number of times: linear in
 * ROI voxels (× directions) for a fixed number of grey levels. The CPU reference; a backend may build the
 * same matrices elsewhere.
 */
public final class TextureMatrices {

    /** IBSI's 13 unique 3D directions (one of each ± pair); the first 4 lie in a slice. */
    public static final int[][] DIRECTIONS_3D = {
            {1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {-1, 1, 0},
            {1, 0, 1}, {1, 1, 1}, {0, 1, 1}, {-1, 1, 1}, {-1, 0, 1}, {-1, -1, 1}, {0, -1, 1}, {1, -1, 1}, {0, 0, 1}};
    /** The 4 in-slice directions of IBSI's 2D matrices. */
    public static final int[][] DIRECTIONS_2D = {{1, 0, 0}, {1, 1, 0}, {0, 1, 0}, {-1, 1, 0}};

    private TextureMatrices() {
    }

    /**
     * Symmetric grey level co-occurrence counts for direction d (IBSI §3.6): pairs of intensity-mask
     * voxels (k, k + d) counted as (i, j) and (j, i); {@code [(i − 1)·ng + (j − 1)]}.
     */
    public static long[] cooccurrence(LevelGrid g, int[] d, int z0, int z1) {
        int ng = g.ng();
        long[] m = new long[ng * ng];
        for (int z = z0; z < z1; z++) {
            int zn = z + d[2];
            if (zn < z0 || zn >= z1) {
                continue;
            }
            for (int y = 0; y < g.ny(); y++) {
                int yn = y + d[1];
                if (yn < 0 || yn >= g.ny()) {
                    continue;
                }
                for (int x = 0; x < g.nx(); x++) {
                    int xn = x + d[0];
                    if (xn < 0 || xn >= g.nx()) {
                        continue;
                    }
                    int a = g.levels()[g.index(x, y, z)], b = g.levels()[g.index(xn, yn, zn)];
                    if (a > 0 && b > 0) {
                        m[(a - 1) * ng + (b - 1)]++;
                        m[(b - 1) * ng + (a - 1)]++;
                    }
                }
            }
        }
        return m;
    }

    /** Grey level run lengths along d (IBSI §3.7): maximal runs of equal level; N_v = the voxels in the slices. */
    public static SparseCounts runLengths(LevelGrid g, int[] d, int z0, int z1) {
        int ng = g.ng();
        int maxRun = Math.max(g.nx(), Math.max(g.ny(), z1 - z0));
        long[] m = new long[ng * maxRun];
        int[] lv = g.levels();
        for (int z = z0; z < z1; z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int a = lv[g.index(x, y, z)];
                    if (a == 0) {
                        continue;
                    }
                    int px = x - d[0], py = y - d[1], pz = z - d[2];
                    if (g.contains(px, py, pz) && pz >= z0 && pz < z1 && lv[g.index(px, py, pz)] == a) {
                        continue; // not the start of a run
                    }
                    int len = 1;
                    for (int cx = x + d[0], cy = y + d[1], cz = z + d[2];
                         g.contains(cx, cy, cz) && cz >= z0 && cz < z1 && lv[g.index(cx, cy, cz)] == a;
                         cx += d[0], cy += d[1], cz += d[2]) {
                        len++;
                    }
                    m[(a - 1) * maxRun + (len - 1)]++;
                }
            }
        }
        return SparseCounts.ofDense(m, ng, maxRun, g.count(z0, z1));
    }

    /** Neighbour offsets: 26 in 3D, 8 in a slice; {@code before} keeps those visited earlier in x-fastest order. */
    private static int[][] neighbours(boolean threeD, boolean before) {
        java.util.List<int[]> out = new java.util.ArrayList<>();
        for (int dz = threeD ? -1 : 0; dz <= (threeD ? 1 : 0); dz++) {
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    boolean earlier = dz < 0 || dz == 0 && (dy < 0 || dy == 0 && dx < 0);
                    if ((dx | dy | dz) != 0 && (!before || earlier)) {
                        out.add(new int[] {dx, dy, dz});
                    }
                }
            }
        }
        return out.toArray(int[][]::new);
    }

    /**
     * Zones: connected voxels of equal level (26-connected in 3D, 8 in a slice), by union–find in one
     * pass over the voxels. Returns each voxel's zone root (−1 outside the intensity mask).
     */
    private static int[] zones(LevelGrid g, int z0, int z1, boolean threeD) {
        int[] lv = g.levels();
        int[] parent = new int[lv.length];
        java.util.Arrays.fill(parent, -1);
        int[][] back = neighbours(threeD, true);
        for (int z = z0; z < z1; z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int k = g.index(x, y, z), a = lv[k];
                    if (a == 0) {
                        continue;
                    }
                    parent[k] = k;
                    for (int[] o : back) {
                        int qx = x + o[0], qy = y + o[1], qz = z + o[2];
                        if (qz >= z0 && g.contains(qx, qy, qz)) {
                            int q = g.index(qx, qy, qz);
                            if (lv[q] == a) {
                                union(parent, k, q);
                            }
                        }
                    }
                }
            }
        }
        for (int k = 0; k < parent.length; k++) {
            if (parent[k] >= 0) {
                parent[k] = find(parent, k);
            }
        }
        return parent;
    }

    private static int find(int[] p, int k) {
        int r = k;
        while (p[r] != r) {
            r = p[r];
        }
        while (p[k] != r) { // path compression
            int next = p[k];
            p[k] = r;
            k = next;
        }
        return r;
    }

    private static void union(int[] p, int a, int b) {
        int ra = find(p, a), rb = find(p, b);
        if (ra != rb) {
            p[Math.max(ra, rb)] = Math.min(ra, rb);
        }
    }

    /** Grey level size zones (IBSI §3.8): (level, zone size) counts. */
    public static SparseCounts sizeZones(LevelGrid g, int z0, int z1, boolean threeD) {
        int[] root = zones(g, z0, z1, threeD);
        int[] size = new int[root.length];
        for (int r : root) {
            if (r >= 0) {
                size[r]++;
            }
        }
        long[] keys = new long[root.length];
        int n = 0;
        for (int k = 0; k < root.length; k++) {
            if (root[k] == k) {
                keys[n++] = (long) g.levels()[k] << 32 | size[k];
            }
        }
        return SparseCounts.ofKeys(keys, n, g.count(z0, z1));
    }

    /**
     * Distance of each morphological-mask voxel to the ROI edge (IBSI §3.9): 1 for voxels with a
     * 6-neighbour (4 in a slice) outside the mask, the slices or the grid; otherwise one more than the
     * nearest such voxel along 6- (4-) connected paths. 0 outside the mask.
     */
    static int[] edgeDistances(LevelGrid g, int z0, int z1, boolean threeD) {
        int[][] faces = threeD
                ? new int[][] {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}
                : new int[][] {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
        boolean[] m = g.morph();
        int[] dist = new int[m.length];
        int[] queue = new int[m.length];
        int head = 0, tail = 0;
        for (int z = z0; z < z1; z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int k = g.index(x, y, z);
                    if (!m[k]) {
                        continue;
                    }
                    for (int[] f : faces) {
                        int qx = x + f[0], qy = y + f[1], qz = z + f[2];
                        if (!g.contains(qx, qy, qz) || qz < z0 || qz >= z1 || !m[g.index(qx, qy, qz)]) {
                            dist[k] = 1;
                            queue[tail++] = k;
                            break;
                        }
                    }
                }
            }
        }
        int plane = g.nx() * g.ny();
        while (head < tail) {
            int k = queue[head++];
            int x = k % g.nx(), y = k / g.nx() % g.ny(), z = k / plane;
            for (int[] f : faces) {
                int qx = x + f[0], qy = y + f[1], qz = z + f[2];
                if (g.contains(qx, qy, qz) && qz >= z0 && qz < z1) {
                    int q = g.index(qx, qy, qz);
                    if (m[q] && dist[q] == 0) {
                        dist[q] = dist[k] + 1;
                        queue[tail++] = q;
                    }
                }
            }
        }
        return dist;
    }

    /** Grey level distance zones (IBSI §3.9): (level, smallest edge distance of the zone's voxels) counts. */
    public static SparseCounts distanceZones(LevelGrid g, int z0, int z1, boolean threeD) {
        int[] root = zones(g, z0, z1, threeD);
        int[] dist = edgeDistances(g, z0, z1, threeD);
        int[] zoneDist = new int[root.length];
        java.util.Arrays.fill(zoneDist, Integer.MAX_VALUE);
        for (int k = 0; k < root.length; k++) {
            if (root[k] >= 0) {
                // An intensity voxel outside the morphological mask (not possible after re-segmentation, which only
                // removes voxels) would have distance 0: count it as at the edge.
                zoneDist[root[k]] = Math.min(zoneDist[root[k]], Math.max(1, dist[k]));
            }
        }
        long[] keys = new long[root.length];
        int n = 0;
        for (int k = 0; k < root.length; k++) {
            if (root[k] == k) {
                keys[n++] = (long) g.levels()[k] << 32 | zoneDist[k];
            }
        }
        return SparseCounts.ofKeys(keys, n, g.count(z0, z1));
    }

    /**
     * Neighbourhood grey tone differences (IBSI §3.10): for each intensity voxel with at least one
     * neighbour in the mask, |level − mean level of those neighbours|, summed per level. Returns
     * {@code s} (ng sums) and {@code n} (ng counts of such voxels) as {@code double[2][ng]}.
     */
    public static double[][] toneDifferences(LevelGrid g, int z0, int z1, boolean threeD) {
        int[][] nb = neighbours(threeD, false);
        int ng = g.ng();
        double[] s = new double[ng], n = new double[ng];
        int[] lv = g.levels();
        for (int z = z0; z < z1; z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int a = lv[g.index(x, y, z)];
                    if (a == 0) {
                        continue;
                    }
                    long sum = 0;
                    int w = 0;
                    for (int[] o : nb) {
                        int qx = x + o[0], qy = y + o[1], qz = z + o[2];
                        if (g.contains(qx, qy, qz) && qz >= z0 && qz < z1) {
                            int b = lv[g.index(qx, qy, qz)];
                            if (b > 0) {
                                sum += b;
                                w++;
                            }
                        }
                    }
                    if (w > 0) {
                        s[a - 1] += Math.abs(a - (double) sum / w);
                        n[a - 1]++;
                    }
                }
            }
        }
        return new double[][] {s, n};
    }

    /**
     * Neighbouring grey level dependence (IBSI §3.11): for each intensity voxel, 1 + the number of
     * neighbours in the mask whose level differs by at most {@code alpha}; (level, that count) counts.
     */
    public static SparseCounts dependence(LevelGrid g, int z0, int z1, boolean threeD, int alpha) {
        int[][] nb = neighbours(threeD, false);
        int ng = g.ng(), cols = nb.length + 1;
        long[] m = new long[ng * cols];
        int[] lv = g.levels();
        for (int z = z0; z < z1; z++) {
            for (int y = 0; y < g.ny(); y++) {
                for (int x = 0; x < g.nx(); x++) {
                    int a = lv[g.index(x, y, z)];
                    if (a == 0) {
                        continue;
                    }
                    int k = 1;
                    for (int[] o : nb) {
                        int qx = x + o[0], qy = y + o[1], qz = z + o[2];
                        if (g.contains(qx, qy, qz) && qz >= z0 && qz < z1) {
                            int b = lv[g.index(qx, qy, qz)];
                            if (b > 0 && Math.abs(b - a) <= alpha) {
                                k++;
                            }
                        }
                    }
                    m[(a - 1) * cols + (k - 1)]++;
                }
            }
        }
        return SparseCounts.ofDense(m, ng, cols, g.count(z0, z1));
    }
}
