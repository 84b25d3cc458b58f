package io.hounsfield.core.backend;

/**
 * IBSI §2.7 discretisation as the backends compute it, to grey levels 1..Ng (0 outside the ROI).
 * Fixed bin number: g = min(Ng, ⌊Ng·(x − lo)/(hi − lo)⌋ + 1), lo and hi the ROI's minimum and maximum (all 1
 * when hi = lo). Fixed bin size: g = ⌊(x − lo)/width⌋ + 1, lo the lower re-segmentation bound or the ROI's
 * minimum.
 *
 * @param fixedBinNumber which of the two
 * @param lo             see above
 * @param hi             the ROI maximum (fixed bin number only)
 * @param ng             Ng (fixed bin number only)
 * @param width          the bin width (fixed bin size only)
 */
public record Binning(boolean fixedBinNumber, double lo, double hi, int ng, double width) {

    public Binning {
        if (fixedBinNumber && (ng < 1 || !(hi >= lo))) {
            throw new IllegalArgumentException("fixed bin number needs Ng >= 1 and hi >= lo, got Ng " + ng + ", [" + lo + ", " + hi + "]");
        }
        if (!fixedBinNumber && !(width > 0)) {
            throw new IllegalArgumentException("fixed bin size needs a width > 0, got " + width);
        }
        if (!Double.isFinite(lo)) {
            throw new IllegalArgumentException("the lower bound must be finite, got " + lo);
        }
    }

    public static Binning fixedBinNumber(double min, double max, int ng) {
        return new Binning(true, min, max, ng, Double.NaN);
    }

    public static Binning fixedBinSize(double lo, double width) {
        return new Binning(false, lo, Double.NaN, 0, width);
    }

    /** The grey level of {@code x} (the formula every backend uses, in double). */
    public int level(double x) {
        if (fixedBinNumber) {
            return hi == lo ? 1 : Math.min(ng, (int) Math.floor(ng * (x - lo) / (hi - lo)) + 1);
        }
        return (int) Math.floor((x - lo) / width) + 1;
    }
}
