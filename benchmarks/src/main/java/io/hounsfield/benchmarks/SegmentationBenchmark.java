package io.hounsfield.benchmarks;

import io.hounsfield.core.Extent;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.segmentation.OnnxModel;
import io.hounsfield.segmentation.Segmenter;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Segmentation of a 512×512×300 CT-like phantom (0.7×0.7×0.67 mm, the standard anatomy) with the shipped
 * demo model on all cores (ONNX Runtime CPU provider, intra-op threads = cores; backend pool = cores):
 * resampling to the model's 2.8×2.8×4 mm grid, windows (time inside ONNX Runtime), blending,
 * post-processing, resampling the labels back. JMH times the whole; the stages' medians are printed at
 * the end of the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx8g"})
public class SegmentationBenchmark {

    private Phantom phantom;
    private ModelRegistry registry;
    private OnnxModel model;
    private ExecutorService pool;
    private Segmenter segmenter;
    private final Map<String, List<Double>> stages = new TreeMap<>();

    @Setup(Level.Trial)
    public void setUp() {
        int n = Runtime.getRuntime().availableProcessors();
        pool = Executors.newFixedThreadPool(n);
        phantom = Phantoms.ctBody(new CtBody(new Extent(512, 512, 300), new Vec3(0.7, 0.7, 200.0 / 300), 10, 7), pool, ProgressListener.NONE);
        registry = DemoModel.open(new ModelRegistry.Options(n, false));
        model = registry.get(DemoModel.NAME).orElseThrow();
        segmenter = new Segmenter(new CpuBackend(pool, 4 * n), 4);
    }

    @Benchmark
    public long segment() {
        try (Segmenter.Result r = segmenter.segment(phantom.image(), model, null)) {
            r.timingsMs().forEach((k, v) -> stages.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            return r.mask().count(CtBody.LESION);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // Medians over every invocation, warm-up included (the first ones carry JIT compilation).
        System.out.println();
        double total = median(stages.get("total"));
        stages.forEach((k, v) -> System.out.printf(Locale.ROOT, "stage %-16s median %9.1f ms  (%4.1f %% of total), n = %d%n", k, median(v),
                100 * median(v) / total, v.size()));
        registry.close();
        phantom.close();
        pool.shutdownNow();
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }
}
