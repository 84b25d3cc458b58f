package io.hounsfield.segmentation;

import io.hounsfield.core.Mask;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped demo model on phantoms it never saw (training used seeds 1000–1023, random anatomy): Dice of
 * liver and lesion against the phantom's labels, at the model's resolution and at the standard one
 * (resampled to the model grid and back).
 */
class DemoModelTest {

    /** The Dice the model card states; the model reaches more on these phantoms (printed). */
    static final double MIN_DICE = 0.9;

    private static ModelRegistry registry;
    private static ExecutorService pool;

    @BeforeAll
    static void open() {
        registry = DemoModel.open(ModelRegistry.Options.defaults());
        pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
    }

    @AfterAll
    static void close() {
        registry.close();
        pool.shutdownNow();
    }

    static double dice(Mask a, Mask b, int label) {
        long both = 0, na = 0, nb = 0;
        for (long i = 0; i < a.asVolume().voxelCount(); i++) {
            boolean x = a.label(i) == label, y = b.label(i) == label;
            both += x && y ? 1 : 0;
            na += x ? 1 : 0;
            nb += y ? 1 : 0;
        }
        return na + nb == 0 ? 1 : 2.0 * both / (na + nb);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5001, 5002, 5003, -77})
    void segmentsPhantomsItHasNotSeen(long seed) {
        CtBody body = seed < 0 ? CtBody.standard().with(-seed, CtBody.Anatomy.random(-seed)) : CtBody.medium().with(seed, CtBody.Anatomy.random(seed));
        OnnxModel model = registry.get(DemoModel.NAME).orElseThrow();
        try (Phantom p = Phantoms.ctBody(body, pool, ProgressListener.NONE);
             Segmenter.Result r = new Segmenter(new CpuBackend(pool, 8), 4).segment(p.image(), model, null)) {
            double lesion = dice(r.mask(), p.mask(), CtBody.LESION), liver = dice(r.mask(), p.mask(), CtBody.LIVER);
            System.out.printf("demo model, %s, seed %d: Dice lesion %.3f, liver %.3f, %s%n", body.extent(), Math.abs(seed), lesion, liver,
                    r.timingsMs());
            assertThat(lesion).as("lesion Dice").isGreaterThanOrEqualTo(MIN_DICE);
            assertThat(liver).as("liver Dice").isGreaterThanOrEqualTo(MIN_DICE);
        }
    }
}
