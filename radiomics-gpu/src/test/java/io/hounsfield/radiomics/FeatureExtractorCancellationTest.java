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
}
