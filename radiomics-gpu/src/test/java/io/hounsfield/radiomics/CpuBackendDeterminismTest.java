package io.hounsfield.radiomics;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.radiomics.features.FirstOrderAccess;
import io.hounsfield.radiomics.features.IntensityStatistics;
import io.hounsfield.radiomics.features.LocalIntensity;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import io.hounsfield.testvolumes.Sphere;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class CpuBackendDeterminismTest {

    @Test
    void oneThreadAndFourGiveBitIdenticalFeatures() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            CpuBackend one = CpuBackend.sequential(), four = new CpuBackend(pool, 16);
            for (int label : new int[] {CtBody.LESION, CtBody.LIVER}) {
                RoiSample a = one.sample(p.image(), p.mask(), label), b = four.sample(p.image(), p.mask(), label);
                assertThat(b.indices()).containsExactly(a.indices());
                assertThat(b.intensities()).containsExactly(a.intensities());
                List<FeatureValue> fa = LocalIntensity.compute(p.image(), a, one, "HU");
                List<FeatureValue> fb = LocalIntensity.compute(p.image(), b, four, "HU");
                assertThat(fb).containsExactlyElementsOf(fa);
                assertThat(IntensityStatistics.compute(b.intensities(), "HU")).containsExactlyElementsOf(IntensityStatistics.compute(a.intensities(), "HU"));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The whole façade, every family: one backend thread with families one after another, against a pool
     * of four with families concurrent on virtual threads. The liver is larger than Moran's exact limit,
     * so its pairwise sums run in several chunks.
     */
    @Test
    void sequentialAndConcurrentExtractionsAreBitIdentical() {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            var sequential = new FeatureExtractor(CpuBackend.sequential(), Runnable::run);
            var concurrent = new FeatureExtractor(new CpuBackend(pool, 16));
            for (int label : new int[] {CtBody.LESION, CtBody.LIVER}) {
                var s = new RadiomicsSettings(label, null, io.hounsfield.core.backend.Interpolation.TRILINEAR, false, Double.NaN, Double.NaN,
                        false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES,
                        List.of("3D"), "HU");
                FeatureSet a = sequential.extract(p.image(), p.mask(), s), b = concurrent.extract(p.image(), p.mask(), s);
                assertThat(b.features()).containsExactlyElementsOf(a.features());
                // and again: repeated runs (concurrent families, texture grids built afresh) give the same bits
                assertThat(concurrent.extract(p.image(), p.mask(), s).features()).containsExactlyElementsOf(a.features());
                assertThat(a.features().stream().map(FeatureValue::family).distinct()).hasSize(RadiomicsSettings.ALL_FAMILIES.size());
                assertThat(b.provenance().notes()).isEqualTo(a.provenance().notes());
                assertThat(b.provenance().timingsMs().keySet()).containsExactlyElementsOf(a.provenance().timingsMs().keySet());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void firstOrderFeaturesOfAKnownDistribution() {
        // A sphere of 250 with Gaussian noise σ = 30: mean, variance, skewness and kurtosis of a normal
        // distribution, within a few standard errors.
        try (Phantom p = Phantoms.single("noisy", new Sphere(Vec3.ZERO, 12), 1, 250, 0, 30, 5)) {
            RoiSample s = CpuBackend.sequential().sample(p.image(), p.mask(), 1);
            int n = s.size();
            var f = FirstOrderAccess.of(s.intensities());
            assertThat(f.mean()).isCloseTo(250, within(5 * 30 / Math.sqrt(n)));
            assertThat(f.variance()).isCloseTo(900, within(5 * 900 * Math.sqrt(2.0 / n)));
            assertThat(f.skewness()).isCloseTo(0, within(5 * Math.sqrt(6.0 / n)));
            assertThat(f.kurtosis()).isCloseTo(0, within(5 * Math.sqrt(24.0 / n)));
            assertThat(f.median()).isCloseTo(250, within(5 * 1.2533 * 30 / Math.sqrt(n)));
            // For a normal distribution P90 − P10 = 2·1.2816σ and the mean absolute deviation is σ·√(2/π).
            assertThat(f.p90() - f.p10()).isCloseTo(2 * 1.2816 * 30, within(3.0));
            assertThat(f.meanAbsDev()).isCloseTo(30 * Math.sqrt(2 / Math.PI), within(1.0));
        }
    }
}
