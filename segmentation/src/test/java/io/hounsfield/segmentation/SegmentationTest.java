package io.hounsfield.segmentation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Models from {@code make_test_models.py} (fixed weights), so every expected output is computed here. */
class SegmentationTest {

    private static Path models;
    private static ModelRegistry registry;

    @BeforeAll
    static void open() throws Exception {
        models = Path.of(SegmentationTest.class.getResource("models").toURI());
        registry = ModelRegistry.open(models, new ModelRegistry.Options(1, false));
    }

    @AfterAll
    static void close() {
        registry.close();
    }

    private static Volume random(Extent e, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Volume v = Volume.allocate(Geometry.axisAligned(e, new Vec3(1, 1, 1), Vec3.ZERO), VoxelType.FLOAT32);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, r.nextDouble(-3, 5));
        }
        return v;
    }

    @Test
    void theRegistryLoadsEveryModelWithItsDescriptor() {
        assertThat(registry.models()).extracting(m -> m.descriptor().name()).containsExactly("conv-fixed", "pointwise");
        assertThat(registry.provider()).isEqualTo("cpu");
        assertThat(registry.get("conv-fixed").orElseThrow().fixedPatch()).isTrue();
        assertThat(registry.get("pointwise").orElseThrow().fixedPatch()).isFalse();
    }

    /**
     * A per-voxel model gives the same probabilities in every window, so the blended result must equal
     * the per-voxel softmax everywhere: overlaps, borders and a volume smaller than a patch included.
     */
    @Test
    void slidingWindowsBlendToThePerVoxelResult() {
        OnnxModel m = registry.get("pointwise").orElseThrow();
        for (Extent e : new Extent[] {new Extent(37, 29, 19), new Extent(10, 5, 3), new Extent(16, 12, 8), new Extent(17, 40, 9)}) {
            for (int batch : new int[] {1, 4}) {
                try (Volume v = random(e, e.voxelCount()); SlidingWindow.Prediction p = SlidingWindow.infer(m, v, batch, null)) {
                    double maxDiff = 0;
                    float[] want = new float[3];
                    for (long i = 0; i < v.voxelCount(); i++) {
                        float x = (float) v.get(i);
                        want[0] = 0;
                        want[1] = x - 1;
                        want[2] = 1 - x;
                        SlidingWindow.activate(ModelDescriptor.Activation.SOFTMAX, want);
                        for (int c = 0; c < 3; c++) {
                            maxDiff = Math.max(maxDiff, Math.abs(p.probabilities().get(c).get(i) - want[c]));
                        }
                    }
                    assertThat(maxDiff).as("%s, batch %d", e, batch).isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }

    /** Where the volume is exactly one patch, the sliding window is one run on the whole volume. */
    @Test
    void onePatchEqualsWholeVolumeInference() throws Exception {
        OnnxModel m = registry.get("conv-fixed").orElseThrow();
        try (Volume v = random(new Extent(16, 12, 8), 5); SlidingWindow.Prediction p = SlidingWindow.infer(m, v, 2, null)) {
            FloatBuffer in = ByteBuffer.allocateDirect(4 * (int) v.voxelCount()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (long i = 0; i < v.voxelCount(); i++) {
                in.put((float) v.get(i));
            }
            in.flip();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OnnxTensor t = OnnxTensor.createTensor(env, in, new long[] {1, 1, 8, 12, 16});
                 OrtSession.Result r = m.session().run(Map.of(m.inputName(), t))) {
                FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                int n = (int) v.voxelCount();
                float[] logits = new float[2];
                double maxDiff = 0;
                for (int i = 0; i < n; i++) {
                    logits[0] = out.get(i);
                    logits[1] = out.get(n + i);
                    SlidingWindow.activate(ModelDescriptor.Activation.SOFTMAX, logits);
                    for (int c = 0; c < 2; c++) {
                        maxDiff = Math.max(maxDiff, Math.abs(p.probabilities().get(c).get(i) - logits[c]));
                    }
                }
                assertThat(maxDiff).isLessThanOrEqualTo(1e-5);
            }
        }
    }

    @Test
    void windowsCoverTheAxisAndWeightsArePositive() {
        assertThat(SlidingWindow.starts(37, 16, 0.5)).containsExactly(0, 8, 16, 21);
        assertThat(SlidingWindow.starts(16, 16, 0.5)).containsExactly(0);
        assertThat(SlidingWindow.starts(5, 16, 0.5)).containsExactly(0);
        assertThat(SlidingWindow.starts(17, 16, 0.25)).containsExactly(0, 1);
        float[] w = SlidingWindow.importance(16, 12, 8);
        float max = 0, min = Float.MAX_VALUE;
        for (float f : w) {
            max = Math.max(max, f);
            min = Math.min(min, f);
        }
        assertThat(max).isEqualTo(1f, org.assertj.core.api.Assertions.within(0.05f)); // even sizes: the peak is between voxels
        assertThat(min).isPositive();
        assertThat(w[0]).isEqualTo(w[w.length - 1]); // symmetric
    }

    @Test
    void badModelsAndDescriptorsAreRefusedNamingTheFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("x.onnx"), "not a model");
        Files.copy(models.resolve("pointwise.yaml"), dir.resolve("x.yaml"));
        assertThatThrownBy(() -> ModelRegistry.open(dir, ModelRegistry.Options.defaults()))
                .isInstanceOf(ModelException.class).hasMessageContaining("x.onnx").hasMessageContaining("not a loadable ONNX model")
                .satisfies(e -> assertThat(((ModelException) e).problem()).isEqualTo(ModelException.Problem.NOT_ONNX));
        Files.delete(dir.resolve("x.onnx"));
        Files.delete(dir.resolve("x.yaml"));

        Files.copy(models.resolve("conv-fixed.onnx"), dir.resolve("c.onnx"));
        Files.writeString(dir.resolve("c.yaml"), Files.readString(models.resolve("conv-fixed.yaml")).replace("[16, 12, 8]", "[8, 8, 8]"));
        assertThatThrownBy(() -> ModelRegistry.open(dir, ModelRegistry.Options.defaults()))
                .isInstanceOf(ModelException.class).hasMessageContaining("c.onnx").hasMessageContaining("patch")
                .hasMessageContaining("descriptor 'conv-fixed'");
        Files.writeString(dir.resolve("c.yaml"), Files.readString(models.resolve("conv-fixed.yaml")).replace("[background, foreground]",
                "[background, a, b]"));
        assertThatThrownBy(() -> ModelRegistry.open(dir, ModelRegistry.Options.defaults()))
                .isInstanceOf(ModelException.class).hasMessageContaining("output has 2 channels");
        Files.writeString(dir.resolve("c.yaml"), Files.readString(models.resolve("conv-fixed.yaml")) + "spacing: [1, 1, 1]\n");
        assertThatThrownBy(() -> ModelRegistry.open(dir, ModelRegistry.Options.defaults()))
                .isInstanceOf(ModelException.class).hasMessageContaining("c.yaml").hasMessageContaining("unknown key 'spacing'");
        Files.delete(dir.resolve("c.yaml"));
        assertThatThrownBy(() -> ModelRegistry.open(dir, ModelRegistry.Options.defaults()))
                .isInstanceOf(ModelException.class).hasMessageContaining("no descriptor beside it");
    }

    @Test
    void aCancelledSegmentationStops() {
        SlidingWindow.Cancellation c = new SlidingWindow.Cancellation();
        c.cancel();
        try (Volume v = random(new Extent(20, 20, 10), 1)) {
            assertThatThrownBy(() -> SlidingWindow.infer(registry.get("pointwise").orElseThrow(), v, 1, c))
                    .isInstanceOf(CancellationException.class);
        }
    }

    @Test
    void segmentingResamplesToTheModelGridAndBack() {
        // 2 mm voxels: bright (5) on the left half, dark (−3) on the right; the model works at 1 mm.
        Geometry g = Geometry.axisAligned(new Extent(20, 14, 6), new Vec3(2, 2, 2), Vec3.ZERO);
        try (Volume img = Volume.allocate(g, VoxelType.INT16)) {
            for (int z = 0; z < 6; z++) {
                for (int y = 0; y < 14; y++) {
                    for (int x = 0; x < 20; x++) {
                        img.set(x, y, z, x < 10 ? 5 : -3);
                    }
                }
            }
            try (Segmenter.Result r = new Segmenter(CpuBackend.sequential(), 4).segment(img, registry.get("pointwise").orElseThrow(), null)) {
                assertThat(r.mask().geometry()).isEqualTo(g);
                for (int z = 0; z < 6; z++) {
                    for (int y = 0; y < 14; y++) {
                        assertThat(r.mask().label(2, y, z)).isEqualTo(1);
                        assertThat(r.mask().label(17, y, z)).isEqualTo(2);
                    }
                }
                assertThat(r.timingsMs()).containsKeys("resample", "windows", "blending", "post-processing", "resample back", "total");
            }
        }
    }

    /** The direct label resampling equals the backend's nearest-neighbour resampling, voxel for voxel. */
    @Test
    void labelsGoBackExactlyAsTheBackendsNearestResampling() {
        Geometry fine = new Geometry(new Extent(23, 19, 17), new Vec3(0.7, 0.9, 1.3), new Vec3(3, -2, 1),
                io.hounsfield.core.Mat3.rotation(new Vec3(0.3, 1, 0.2), 0.4));
        Geometry coarse = io.hounsfield.core.backend.Resampling.centredGrid(fine, new Vec3(2.8, 2.8, 4));
        SplittableRandom r = new SplittableRandom(3);
        try (Mask m = Mask.allocate(coarse)) {
            for (long i = 0; i < m.asVolume().voxelCount(); i++) {
                m.set(i, r.nextInt(3));
            }
            try (Mask a = Segmenter.nearest(m, fine);
                 Volume b = CpuBackend.sequential().resample(m.asVolume(), fine, io.hounsfield.core.backend.Interpolation.NEAREST)) {
                for (long i = 0; i < b.voxelCount(); i++) {
                    assertThat(a.label(i)).as("voxel %d", i).isEqualTo((int) b.get(i));
                }
            }
        }
    }

    @Test
    void postProcessingKeepsTheLargestComponentAndFillsHolesWithoutTouchingOtherLabels() {
        Geometry g = Geometry.axisAligned(new Extent(12, 12, 12), new Vec3(1, 1, 1), Vec3.ZERO);
        try (Mask m = Mask.allocate(g)) {
            for (int z = 2; z < 9; z++) {
                for (int y = 2; y < 9; y++) {
                    for (int x = 2; x < 9; x++) {
                        m.set(x, y, z, 1); // a 7³ cube ...
                    }
                }
            }
            m.set(5, 5, 5, 0);   // ... with a hole,
            m.set(4, 5, 5, 2);   // a voxel of another label inside,
            m.set(10, 10, 10, 1); // and a stray voxel
            PostProcessing.largestComponent(m, 1);
            PostProcessing.fillHoles(m, 1);
            assertThat(m.label(10, 10, 10)).isZero();
            assertThat(m.label(5, 5, 5)).isEqualTo(1);
            assertThat(m.label(4, 5, 5)).isEqualTo(2);
            assertThat(m.count(1)).isEqualTo(7 * 7 * 7 - 1);
        }
        try (Mask empty = Mask.allocate(g)) {
            PostProcessing.largestComponent(empty, 1); // an empty label stays empty: a documented result, not an error
            PostProcessing.fillHoles(empty, 1);
            assertThat(empty.count(1)).isZero();
        }
    }

    /**
     * Many inferences, tensors and results closed: after a warm-up (in which the Java heap finds its size),
     * another 600 inferences leave the process's resident memory flat.
     */
    @Test
    void nativeMemoryStaysFlatOverManyInferences() throws Exception {
        OnnxModel m = registry.get("pointwise").orElseThrow();
        try (Volume v = random(new Extent(32, 24, 16), 9)) {
            for (int i = 0; i < 400; i++) {
                SlidingWindow.infer(m, v, 4, null).close();
            }
            System.gc();
            long before = rssKb();
            for (int i = 0; i < 600; i++) {
                SlidingWindow.infer(m, v, 4, null).close();
            }
            System.gc();
            long grown = rssKb() - before;
            assertThat(grown).as("resident memory growth over 600 inferences after warm-up, KiB").isLessThan(16 * 1024);
        }
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
