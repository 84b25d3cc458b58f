package io.hounsfield.radiomics.features;

/** Test access to the package-private first-order summary. */
public final class FirstOrderAccess {

    private FirstOrderAccess() {
    }

    public record Summary(double mean, double variance, double skewness, double kurtosis, double median, double p10, double p90,
                          double meanAbsDev) {
    }

    public static Summary of(double[] x) {
        FirstOrder f = FirstOrder.of(x);
        return new Summary(f.mean(), f.variance(), f.skewness(), f.kurtosis(), f.median(), f.p10(), f.p90(), f.meanAbsDev());
    }
}
