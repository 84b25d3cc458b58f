package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.IndexSplitter;

/**
 * Reductions of an ROI's voxels that every backend computes in the same way (so morphology's centre of mass,
 * axes and Moran's points agree bit for bit whatever computed them), written once over an {@link RoiSample}
 * (voxels in index order) for the backends that work from samples; a device computes the same numbers from its
 * copies of image and mask ({@link ComputeBackend#indexMoments}, {@link ComputeBackend#weightedSums},
 * {@link ComputeBackend#gather}).
 */
public final class RoiSums {

    /** Entries of {@link #indexMoments}: n, Σi, Σj, Σk, Σii, Σij, Σik, Σjj, Σjk, Σkk. */
    public static final int MOMENTS = 10;
    /** Entries of {@link #weightedSums}: Σw, Σw·i, Σw·j, Σw·k. */
    public static final int WEIGHTED = 4;

    private RoiSums() {
    }

    /**
     * The voxels' count and the sums and sums of products of their indices (i, j, k), exactly (longs: exact while
     * N · (largest index)² &lt; 2⁶³, any grid up to 4096³).
     */
    public static long[] indexMoments(long[] idx, Extent e) {
        long[] m = new long[MOMENTS];
        IndexSplitter rows = new IndexSplitter(e);
        for (long k : idx) {
            rows.split(k);
            add(m, rows.x(), rows.y(), rows.z());
        }
        m[0] = idx.length;
        return m;
    }

    /** Adds voxel (x, y, z) to moments {@code m} (not its count). */
    static void add(long[] m, long x, long y, long z) {
        m[1] += x;
        m[2] += y;
        m[3] += z;
        m[4] += x * x;
        m[5] += x * y;
        m[6] += x * z;
        m[7] += y * y;
        m[8] += y * z;
        m[9] += z * z;
    }

    /**
     * {Σ w, Σ w·i, Σ w·j, Σ w·k} over the sample, weights its intensities, summed row by row: each grid row's
     * voxels in x order into a row sum, then the rows' sums in row order (a device sums each row on a thread of
     * its own and the host adds the rows the same way).
     */
    public static double[] weightedSums(RoiSample s, Extent e) {
        double[] total = new double[WEIGHTED], row = new double[WEIGHTED];
        long[] idx = s.indices();
        double[] w = s.intensities();
        IndexSplitter at = new IndexSplitter(e);
        long current = -1; // the first index of the row being summed
        for (int t = 0; t < idx.length; t++) {
            at.split(idx[t]);
            long r = idx[t] - at.x();
            if (r != current) {
                if (current >= 0) {
                    addRow(total, row);
                }
                java.util.Arrays.fill(row, 0);
                current = r;
            }
            row[0] += w[t];
            row[1] += w[t] * at.x();
            row[2] += w[t] * at.y();
            row[3] += w[t] * at.z();
        }
        if (current >= 0) {
            addRow(total, row);
        }
        return total;
    }

    /** Adds one row's sums to the total, as both backends do. */
    static void addRow(double[] total, double[] row) {
        addRow(total, row, 0);
    }

    /** Adds the row sums at {@code rows[at..]} to the total. */
    static void addRow(double[] total, double[] rows, int at) {
        for (int k = 0; k < WEIGHTED; k++) {
            total[k] += rows[at + k];
        }
    }

    /** The entries of {@code s} at {@code ranks} (ascending positions in the sample). */
    public static RoiSample pick(RoiSample s, int[] ranks) {
        double[] v = new double[ranks.length];
        long[] idx = new long[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            v[i] = s.intensities()[ranks[i]];
            idx[i] = s.indices()[ranks[i]];
        }
        return new RoiSample(v, idx);
    }
}
