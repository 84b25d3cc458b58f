package io.hounsfield.core.texture;

import java.util.Arrays;
import java.util.List;

/**
 * A sparse count matrix of (grey level i ≥ 1, second index j ≥ 1) — run length, zone size, zone
 * distance or dependence count — sorted by i, then j, with no zero entries. Zone-size matrices of large
 * ROIs have few entries but a huge j range, so they are never stored densely.
 *
 * @param voxels the number of voxels the matrix was built from (IBSI's N_v; summed when merging)
 */
public record SparseCounts(int[] i, int[] j, long[] n, long voxels) {

    public SparseCounts {
        if (i.length != j.length || i.length != n.length) {
            throw new IllegalArgumentException("ragged sparse matrix");
        }
    }

    public int size() {
        return n.length;
    }

    /** Σ of all counts (IBSI's N_s). */
    public long total() {
        long s = 0;
        for (long c : n) {
            s += c;
        }
        return s;
    }

    /** From a dense {@code rows × cols} array (row = i − 1, column = j − 1). */
    public static SparseCounts ofDense(long[] dense, int rows, int cols, long voxels) {
        int k = 0;
        for (long c : dense) {
            k += c != 0 ? 1 : 0;
        }
        int[] ii = new int[k], jj = new int[k];
        long[] nn = new long[k];
        k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long v = dense[r * cols + c];
                if (v != 0) {
                    ii[k] = r + 1;
                    jj[k] = c + 1;
                    nn[k++] = v;
                }
            }
        }
        return new SparseCounts(ii, jj, nn, voxels);
    }

    /** From unsorted (i, j) keys packed as {@code i << 32 | j}, one per counted item. */
    public static SparseCounts ofKeys(long[] keys, int count, long voxels) {
        long[] k = Arrays.copyOf(keys, count);
        Arrays.sort(k);
        int distinct = 0;
        for (int a = 0; a < count; a++) {
            distinct += a == 0 || k[a] != k[a - 1] ? 1 : 0;
        }
        int[] ii = new int[distinct], jj = new int[distinct];
        long[] nn = new long[distinct];
        int at = -1;
        for (int a = 0; a < count; a++) {
            if (a == 0 || k[a] != k[a - 1]) {
                at++;
                ii[at] = (int) (k[a] >>> 32);
                jj[at] = (int) k[a];
            }
            nn[at]++;
        }
        return new SparseCounts(ii, jj, nn, voxels);
    }

    /** The entry-wise sum of {@code parts} (IBSI's merged matrix); N_v is the sum of theirs. */
    public static SparseCounts merge(List<SparseCounts> parts) {
        int total = 0;
        long voxels = 0;
        for (SparseCounts p : parts) {
            total += p.size();
            voxels += p.voxels;
        }
        long[] keys = new long[total];
        long[] counts = new long[total];
        int k = 0;
        for (SparseCounts p : parts) {
            for (int a = 0; a < p.size(); a++) {
                keys[k] = (long) p.i[a] << 32 | p.j[a];
                counts[k++] = p.n[a];
            }
        }
        Integer[] order = new Integer[total];
        for (int a = 0; a < total; a++) {
            order[a] = a;
        }
        Arrays.sort(order, (x, y) -> Long.compare(keys[x], keys[y]));
        int distinct = 0;
        for (int a = 0; a < total; a++) {
            distinct += a == 0 || keys[order[a]] != keys[order[a - 1]] ? 1 : 0;
        }
        int[] ii = new int[distinct], jj = new int[distinct];
        long[] nn = new long[distinct];
        int at = -1;
        for (int a = 0; a < total; a++) {
            long key = keys[order[a]];
            if (a == 0 || key != keys[order[a - 1]]) {
                at++;
                ii[at] = (int) (key >>> 32);
                jj[at] = (int) key;
            }
            nn[at] += counts[order[a]];
        }
        return new SparseCounts(ii, jj, nn, voxels);
    }
}
