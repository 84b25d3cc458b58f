package io.hounsfield.radiomics.features;

/**
 * IBSI §2.7 intensity discretisation to grey levels 1..Ng.
 * Fixed bin number: g = ⌊Ng·(x − Xmin)/(Xmax − Xmin)⌋ + 1, with Xmax mapped to Ng.
 * Fixed bin size: g = ⌊(x − Xmin)/w⌋ + 1, Xmin the lower re-segmentation bound (else the ROI minimum).
 */
public record Discretisation(Method method, double value) {

    public enum Method { FIXED_BIN_NUMBER, FIXED_BIN_SIZE }

    public Discretisation {
        if (!(value > 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("discretisation value must be > 0, got " + value);
        }
        if (method == Method.FIXED_BIN_NUMBER && value != Math.rint(value)) {
            throw new IllegalArgumentException("a fixed bin number must be a whole number, got " + value);
        }
    }

    public static Discretisation binNumber(int n) {
        return new Discretisation(Method.FIXED_BIN_NUMBER, n);
    }

    public static Discretisation binSize(double w) {
        return new Discretisation(Method.FIXED_BIN_SIZE, w);
    }

    /** The grey levels of {@code x}; {@code lower} is Xmin for fixed bin size (NaN: the ROI minimum). */
    public Levels apply(double[] x, double lower) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        int[] g = new int[x.length];
        int ng = 1;
        if (method == Method.FIXED_BIN_NUMBER) {
            int n = (int) value;
            for (int i = 0; i < x.length; i++) {
                g[i] = max == min ? 1 : Math.min(n, (int) Math.floor(n * (x[i] - min) / (max - min)) + 1);
            }
            ng = n;
        } else {
            double from = Double.isNaN(lower) ? min : lower;
            for (int i = 0; i < x.length; i++) {
                g[i] = (int) Math.floor((x[i] - from) / value) + 1;
                ng = Math.max(ng, g[i]);
            }
        }
        return new Levels(g, ng);
    }

    /** Discretised grey levels in 1..ng. */
    public record Levels(int[] levels, int ng) {
    }
}
