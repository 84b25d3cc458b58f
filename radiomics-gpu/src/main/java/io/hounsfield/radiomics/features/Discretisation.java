package io.hounsfield.radiomics.features;

import io.hounsfield.core.backend.Binning;

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

    /**
     * The binning of values in [min, max] — the formula every backend applies ({@link Binning#level}); {@code lower}
     * is Xmin for fixed bin size (NaN: {@code min}).
     */
    public Binning binning(double min, double max, double lower) {
        return method == Method.FIXED_BIN_NUMBER ? Binning.fixedBinNumber(min, max, (int) value)
                : Binning.fixedBinSize(Double.isNaN(lower) ? min : lower, value);
    }

    /** The number of grey levels of values whose largest is {@code max} under {@code b} (levels grow with the value). */
    public int levelCount(Binning b, double max) {
        return method == Method.FIXED_BIN_NUMBER ? (int) value : Math.max(1, b.level(max));
    }

    /** The grey levels of {@code x}; {@code lower} is Xmin for fixed bin size (NaN: the ROI minimum). */
    public Levels apply(double[] x, double lower) {
        if (x.length == 0) {
            return new Levels(new int[0], method == Method.FIXED_BIN_NUMBER ? (int) value : 1);
        }
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        Binning b = binning(min, max, lower);
        int[] g = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            g[i] = b.level(x[i]);
        }
        return new Levels(g, levelCount(b, max));
    }

    /** Discretised grey levels in 1..ng. */
    public record Levels(int[] levels, int ng) {
    }
}
