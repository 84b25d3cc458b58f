package io.hounsfield.radiomics;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link FeatureExtractor#cancelWhen}: the signal is checked at every stage boundary, and only there. */
class FeatureExtractorCancellationTest {

    @Test
    void aCancelledExtractionStopsAtTheNextStageAndAnUncancelledOneIsUnchanged() {
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            RadiomicsSettings s = RadiomicsSettings.defaults().withLabel(CtBody.LESION);
            FeatureExtractor plain = new FeatureExtractor(CpuBackend.sequential(), Runnable::run);
            assertThatThrownBy(() -> plain.cancelWhen(() -> true).extract(p.image(), p.mask(), s))
                    .isInstanceOf(CancellationException.class).hasMessageContaining("bounding box");
            // Cancelled after three checks: the fourth stage never starts.
            AtomicInteger checks = new AtomicInteger();
            assertThatThrownBy(() -> plain.cancelWhen(() -> checks.incrementAndGet() > 3).extract(p.image(), p.mask(), s))
                    .isInstanceOf(CancellationException.class);
            assertThat(checks.get()).isEqualTo(4);
            // Never cancelled: the same features as without the signal, and one check per stage.
            AtomicInteger stages = new AtomicInteger();
            FeatureSet a = plain.extract(p.image(), p.mask(), s);
            FeatureSet b = plain.cancelWhen(() -> stages.incrementAndGet() < 0).extract(p.image(), p.mask(), s);
            assertThat(b.features()).containsExactlyElementsOf(a.features());
            assertThat(stages.get()).isGreaterThan(10);
        }
    }

    /** Cancelled at each stage in turn, with resampling: the caller's image and mask stay open and usable. */
    @Test
    void aCancelledResampledExtractionClosesOnlyWhatItMade() {
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            RadiomicsSettings s = new RadiomicsSettings(CtBody.LESION, new io.hounsfield.core.Vec3(2, 2, 2), io.hounsfield.core.backend.Interpolation.TRILINEAR,
                    true, Double.NaN, Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN,
                    java.util.Set.of(RadiomicsSettings.INTENSITY_STATISTICS), java.util.List.of("3D"), "HU");
            FeatureExtractor plain = new FeatureExtractor(CpuBackend.sequential(), Runnable::run);
            long live = io.hounsfield.core.Volume.liveCount();
            for (int stop = 1; stop <= 5; stop++) {
                AtomicInteger checks = new AtomicInteger();
                int at = stop;
                assertThatThrownBy(() -> plain.cancelWhen(() -> checks.incrementAndGet() > at).extract(p.image(), p.mask(), s))
                        .as("cancelled at check %d", at + 1).isInstanceOf(CancellationException.class);
                assertThat(p.image().isOpen()).as("image open after cancelling at check %d", at + 1).isTrue();
                assertThat(p.mask().isOpen()).as("mask open after cancelling at check %d", at + 1).isTrue();
                assertThat(io.hounsfield.core.Volume.liveCount()).as("volumes left after cancelling at check %d", at + 1).isEqualTo(live);
            }
            assertThat(plain.extract(p.image(), p.mask(), s).features()).isNotEmpty();
        }
    }
}
