package io.hounsfield.core.texture;

/**
 * The IBSI texture matrices of a {@link LevelGrid}, restricted to slices z0..z1−1 (one slice for IBSI's
 * 2D matrices, all for 3D; neighbours outside the range do not count). Neighbourhoods are IBSI's
 * defaults: Chebyshev distance 1 (26 neighbours in 3D, 8 in a slice), zones 26- or 8-connected, distances
 * to the ROI edge 6- or 4-connected. Every builder works on a padded copy of the slices ({@link Padded}),
 * visiting each voxel a bounded number of times: linear in ROI box voxels (× directions) for a fixed
 * number of grey levels. The CPU reference; a backend may build the same matrices elsewhere.
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
     * Slices z0..z1−1 of a grid as the builders see them, for a device to upload: grey levels with one voxel of 0
     * all round ({@code px = nx + 2}, {@code py = ny + 2}, {@code pz = nz + 2}), the morphological mask likewise
     * (1/0 bytes), and the number of intensity-mask voxels (IBSI's N_v). Shared, do not change the arrays.
     */
    public record Slab(int px, int py, int pz, int[] levels, byte[] morph, long voxels) {
        /** The linear offset of neighbour direction {@code d}. */
        public int offset(int[] d) {
            return d[0] + px * (d[1] + py * d[2]);
        }
    }

    /** The {@link Slab} of slices z0..z1−1, made once per grid. */
    public static Slab slab(LevelGrid g, int z0, int z1) {
        Padded s = Padded.of(g, z0, z1);
        return g.derived("slab " + z0 + " " + z1, () -> {
            byte[] morph = new byte[s.morph.length];
            for (int k = 0; k < morph.length; k++) {
                morph[k] = (byte) (s.morph[k] ? 1 : 0);
            }
            return new Slab(s.px, s.py, s.nz + 2, s.levels, morph, s.count());
        });
    }

    /** The longest run a run-length matrix of these slices needs a column for (the CPU's matrix width). */
    public static int maxRun(LevelGrid g, int z0, int z1) {
        return Math.max(g.nx(), Math.max(g.ny(), z1 - z0));
    }

    /** Padded index of the first voxel of each row of the slab (builders loop over rows, then x: no lambdas in hot loops). */
    private static int[] rows(Padded s) {
        int[] r = new int[s.ny * s.nz];
        for (int z = 0, k = 0; z < s.nz; z++) {
            for (int y = 0; y < s.ny; y++) {
                r[k++] = s.index(0, y, z);
            }
        }
        return r;
    }

    /**
     * Symmetric grey level co-occurrence counts for direction d (IBSI §3.6): pairs of intensity-mask
     * voxels (k, k + d) counted as (i, j) and (j, i); {@code [(i − 1)·ng + (j − 1)]}.
     */
    public static long[] cooccurrence(LevelGrid g, int[] d, int z0, int z1) {
        int ng = g.ng();
        long[] m = new long[ng * ng];
        Padded s = Padded.of(g, z0, z1);
        int off = s.offset(d);
        int[] lv = s.levels;
        for (int p : s.roi) {
            int a = lv[p], b = lv[p + off];
            if (b > 0) {
                m[(a - 1) * ng + (b - 1)]++;
                m[(b - 1) * ng + (a - 1)]++;
            }
        }
        return m;
    }

    /** Grey level run lengths along d (IBSI §3.7): maximal runs of equal level; N_v = the voxels in the slices. */
    public static SparseCounts runLengths(LevelGrid g, int[] d, int z0, int z1) {
        int ng = g.ng();
        Padded s = Padded.of(g, z0, z1);
        int maxRun = maxRun(g, z0, z1);
        long[] m = new long[ng * maxRun];
        // A run is the same read either way: walk it forwards (positive offset), so that, in ascending voxel
        // order, each voxel's run so far is its predecessor's plus one, and a run is counted at its last voxel.
        // No branch depends on the levels (noisy images made the run-start test mispredict about half the time).
        int off = Math.abs(s.offset(d));
        if (off == 0) {
            throw new IllegalArgumentException("direction " + java.util.Arrays.toString(d) + " has no length");
        }
        int[] lv = s.levels;
        int[] run = new int[lv.length]; // read only at intensity-mask voxels, written before they are read
        for (int p : s.roi) {
            int a = lv[p];
            int len = lv[p - off] == a ? run[p - off] + 1 : 1;
            run[p] = len;
            m[(a - 1) * maxRun + (len - 1)] += lv[p + off] != a ? 1 : 0;
        }
        return SparseCounts.ofDense(m, ng, maxRun, s.count());
    }

    /**
     * Zones: connected voxels of equal level (26-connected in 3D, 8 in a slice), by union–find in one
     * pass over the voxels. Returns each padded voxel's zone root (−1 outside the intensity mask).
     */
    private static int[] zones(LevelGrid g, int z0, int z1, boolean threeD) {
        return g.derived("zones " + z0 + " " + z1 + " " + threeD, () -> label(Padded.of(g, z0, z1), threeD));
    }

    private static int[] label(Padded s, boolean threeD) {
        int[] lv = s.levels;
        int[] parent = new int[lv.length];
        java.util.Arrays.fill(parent, -1);
        int[] back = s.neighbourOffsets(threeD, true);
        for (int p : s.roi) {
            int a = lv[p];
            parent[p] = p;
            for (int o : back) {
                if (lv[p + o] == a) {
                    union(parent, p, p + o);
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
        Padded s = Padded.of(g, z0, z1);
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
                keys[n++] = (long) s.levels[k] << 32 | size[k];
            }
        }
        return SparseCounts.ofKeys(keys, n, s.count());
    }

    /**
     * Distance of each morphological-mask voxel to the ROI edge (IBSI §3.9): 1 for voxels with a
     * 6-neighbour (4 in a slice) outside the mask, the slices or the grid; otherwise one more than the
     * nearest such voxel along 6- (4-) connected paths. 0 outside the mask.
     */
    private static int[] edgeDistances(Padded s, boolean threeD) {
        int[] faces = threeD
                ? new int[] {s.offset(1, 0, 0), s.offset(-1, 0, 0), s.offset(0, 1, 0), s.offset(0, -1, 0), s.offset(0, 0, 1), s.offset(0, 0, -1)}
                : new int[] {s.offset(1, 0, 0), s.offset(-1, 0, 0), s.offset(0, 1, 0), s.offset(0, -1, 0)};
        boolean[] m = s.morph;
        int[] dist = new int[m.length];
        int[] queue = new int[m.length];
        int[] tail = {0};
        for (int row : rows(s)) {
            for (int p = row, end = row + s.nx; p < end; p++) {
                if (m[p]) {
                    for (int f : faces) {
                        if (!m[p + f]) {
                            dist[p] = 1;
                            queue[tail[0]++] = p;
                            break;
                        }
                    }
                }
            }
        }
        for (int head = 0; head < tail[0]; head++) {
            int p = queue[head];
            for (int f : faces) {
                int q = p + f;
                if (m[q] && dist[q] == 0) {
                    dist[q] = dist[p] + 1;
                    queue[tail[0]++] = q;
                }
            }
        }
        return dist;
    }

    /** Grey level distance zones (IBSI §3.9): (level, smallest edge distance of the zone's voxels) counts. */
    public static SparseCounts distanceZones(LevelGrid g, int z0, int z1, boolean threeD) {
        Padded s = Padded.of(g, z0, z1);
        int[] root = zones(g, z0, z1, threeD);
        int[] dist = edgeDistances(s, threeD);
        int[] zoneDist = new int[root.length];
        java.util.Arrays.fill(zoneDist, Integer.MAX_VALUE);
        for (int k = 0; k < root.length; k++) {
            if (root[k] >= 0) {
                // An intensity voxel outside the morphological mask cannot occur (re-segmentation only removes
                // voxels); were it to, it would count as at the edge.
                zoneDist[root[k]] = Math.min(zoneDist[root[k]], Math.max(1, dist[k]));
            }
        }
        long[] keys = new long[root.length];
        int n = 0;
        for (int k = 0; k < root.length; k++) {
            if (root[k] == k) {
                keys[n++] = (long) s.levels[k] << 32 | zoneDist[k];
            }
        }
        return SparseCounts.ofKeys(keys, n, s.count());
    }

    /** Columns per grey level of {@link #toneDifferenceCounts}: N, then one per neighbour count w = 1..26. */
    public static final int TONE_COLUMNS = 27;

    /**
     * Neighbourhood grey tone differences (IBSI §3.10) as exact integer counts, so that every backend gets the
     * same bits: for grey level a, column 0 counts the intensity voxels with at least one neighbour in the mask,
     * and column w (1..26) sums |a·w − t| over those with w such neighbours whose levels total t — the voxel's
     * |a − t/w| times w. {@code [(a − 1)·27 + column]}.
     */
    public static long[] toneDifferenceCounts(LevelGrid g, int z0, int z1, boolean threeD) {
        Padded s = Padded.of(g, z0, z1);
        int[] nb = s.neighbourOffsets(threeD, false);
        long[] c = new long[g.ng() * TONE_COLUMNS];
        int[] lv = s.levels;
        for (int p : s.roi) {
            int a = lv[p];
            long total = 0;
            int w = 0;
            for (int o : nb) {
                int b = lv[p + o];
                total += b;
                w += b > 0 ? 1 : 0;
            }
            if (w > 0) {
                c[(a - 1) * TONE_COLUMNS]++;
                c[(a - 1) * TONE_COLUMNS + w] += Math.abs((long) a * w - total);
            }
        }
        return c;
    }

    /**
     * IBSI's s_i and n_i from {@link #toneDifferenceCounts}: s = Σ_w (column w) / w, in w order, so the same
     * counts give the same doubles everywhere. Returns {@code {s[ng], n[ng]}}.
     */
    public static double[][] toneDifferences(long[] counts, int ng) {
        if (counts.length != ng * TONE_COLUMNS) {
            throw new IllegalArgumentException("tone counts of " + counts.length + " entries for " + ng + " grey levels");
        }
        double[] sum = new double[ng], n = new double[ng];
        for (int a = 0; a < ng; a++) {
            n[a] = counts[a * TONE_COLUMNS];
            double s = 0;
            for (int w = 1; w < TONE_COLUMNS; w++) {
                s += counts[a * TONE_COLUMNS + w] / (double) w;
            }
            sum[a] = s;
        }
        return new double[][] {sum, n};
    }

    /** {@link #toneDifferences(long[], int)} of this grid's counts. */
    public static double[][] toneDifferences(LevelGrid g, int z0, int z1, boolean threeD) {
        return toneDifferences(toneDifferenceCounts(g, z0, z1, threeD), g.ng());
    }

    /**
     * Neighbouring grey level dependence (IBSI §3.11): for each intensity voxel, 1 + the number of
     * neighbours in the mask whose level differs by at most {@code alpha}; (level, that count) counts.
     */
    public static SparseCounts dependence(LevelGrid g, int z0, int z1, boolean threeD, int alpha) {
        Padded s = Padded.of(g, z0, z1);
        int[] nb = s.neighbourOffsets(threeD, false);
        int ng = g.ng(), cols = nb.length + 1;
        long[] m = new long[ng * cols];
        int[] lv = s.levels;
        for (int p : s.roi) {
            int a = lv[p];
            int k = 1;
            if (alpha == 0) { // IBSI's default: equal levels only, counted without branches
                for (int o : nb) {
                    k += lv[p + o] == a ? 1 : 0;
                }
            } else {
                for (int o : nb) {
                    int b = lv[p + o];
                    k += b > 0 && Math.abs(b - a) <= alpha ? 1 : 0;
                }
            }
            m[(a - 1) * cols + (k - 1)]++;
        }
        return SparseCounts.ofDense(m, ng, cols, s.count());
    }
}
