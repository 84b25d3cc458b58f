package io.hounsfield.core.backend;

import java.util.Arrays;

/**
 * A multiset of intensities as its distinct values, ascending, and how many times each occurs: what the
 * first-order features need of an ROI (moments, order statistics, histograms), exact on every backend, and
 * small for CT and MR (at most one entry per integer value of the image's type).
 *
 * @param values distinct, ascending, finite
 * @param counts each ≥ 1
 */
public record ValueCounts(double[] values, long[] counts) {

    public ValueCounts {
        if (values.length != counts.length) {
            throw new IllegalArgumentException(values.length + " values but " + counts.length + " counts");
        }
    }

    /** The counts of {@code x}: integral values in a modest range are counted, others sorted (−0.0 counts as 0.0). */
    public static ValueCounts of(double[] x) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        boolean integral = true;
        for (double v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            integral &= v == Math.rint(v);
        }
        if (x.length > 0 && integral && max - min < Math.max(1 << 16, x.length)) {
            long[] c = new long[(int) (max - min) + 1];
            for (double v : x) {
                c[(int) (v - min)]++;
            }
            return ofDense(c, min);
        }
        double[] s = x.clone();
        Arrays.sort(s);
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            n += i == 0 || s[i] != s[i - 1] ? 1 : 0;
        }
        double[] v = new double[n];
        long[] c = new long[n];
        for (int i = 0, k = -1; i < s.length; i++) {
            if (i == 0 || s[i] != s[i - 1]) {
                v[++k] = s[i] + 0.0; // −0.0 and 0.0 are one value
            }
            c[k]++;
        }
        return new ValueCounts(v, c);
    }

    /** The values of {@code x} in [lo, hi] (a NaN bound is no bound), in order. */
    public static double[] within(double[] x, double lo, double hi) {
        double a = Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo, b = Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi;
        return java.util.Arrays.stream(x).filter(v -> v >= a && v <= b).toArray();
    }

    /** From counts of the integers {@code first}, {@code first + 1}, ...: the non-zero ones. */
    public static ValueCounts ofDense(long[] counts, double first) {
        int n = 0;
        for (long c : counts) {
            n += c > 0 ? 1 : 0;
        }
        double[] v = new double[n];
        long[] c = new long[n];
        for (int i = 0, k = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                v[k] = first + i;
                c[k++] = counts[i];
            }
        }
        return new ValueCounts(v, c);
    }

    /** The counts of the values in [lo, hi] (a NaN bound is no bound): these counts, cut to that range. */
    public ValueCounts between(double lo, double hi) {
        double a = Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo, b = Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi;
        int from = 0, to = values.length;
        while (from < to && !(values[from] >= a)) {
            from++;
        }
        while (to > from && !(values[to - 1] <= b)) {
            to--;
        }
        return from == 0 && to == values.length ? this
                : new ValueCounts(Arrays.copyOfRange(values, from, to), Arrays.copyOfRange(counts, from, to));
    }

    /** The number of values counted (with repeats). */
    public long total() {
        long n = 0;
        for (long c : counts) {
            n += c;
        }
        return n;
    }

    public int distinct() {
        return values.length;
    }

    /** The value at 0-based rank {@code r} of the sorted multiset. */
    public double atRank(long r) {
        long seen = 0;
        for (int k = 0; k < counts.length; k++) {
            seen += counts[k];
            if (r < seen) {
                return values[k];
            }
        }
        throw new IndexOutOfBoundsException("rank " + r + " of " + seen);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ValueCounts v && Arrays.equals(values, v.values) && Arrays.equals(counts, v.counts);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(values) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "ValueCounts[" + distinct() + " distinct of " + total() + "]";
    }
}
