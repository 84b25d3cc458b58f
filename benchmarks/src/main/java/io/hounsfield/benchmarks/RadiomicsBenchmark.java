package io.hounsfield.benchmarks;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.radiomics.features.Discretisation;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * IBSI feature extraction on a CT-like volume of 512×512×128 int16 voxels of 0.8×0.8×2.5 mm (tissue 40,
 * organ 60, lesion 120 HU, Gaussian noise σ 15), bin width 25, no resampling, with a lesion ROI (an
 * ellipsoid of 60×60×40 voxels, ~75 k) and an organ ROI (200×200×100 voxels, ~2.1 M), per family
 * ("all" = every family implemented) on 1 thread (one backend thread, families one after another) and on
 * all cores (backend pool of all cores, family groups concurrent on virtual threads).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx8g"})
public class RadiomicsBenchmark {

    @Param({"lesion", "organ"})
    public String roi;

    @Param({"all", "morphology", "local intensity", "intensity-based statistics", "intensity histogram", "intensity-volume histogram",
            "GLCM", "GLRLM", "GLSZM", "GLDZM", "NGTDM", "NGLDM"})
    public String family;

    @Param({"1", "all"})
    public String threads;

    /** "none", or "1mm": resampled to 1 mm isotropic, trilinear, rounded to integers (IBSI's CT configurations). */
    @Param({"none"})
    public String resample;

    private BenchmarkVolume volume;
    private Volume image;
    private Mask mask;
    private ExecutorService pool;
    private FeatureExtractor extractor;
    private RadiomicsSettings settings;

    @Setup(Level.Trial)
    public void setUp() {
        volume = BenchmarkVolume.make();
        image = volume.image();
        mask = volume.mask();
        int n = "all".equals(threads) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        pool = Executors.newFixedThreadPool(n);
        extractor = n == 1 ? new FeatureExtractor(new CpuBackend(pool, 4), Runnable::run) : new FeatureExtractor(new CpuBackend(pool, 4 * n));
        Set<String> families = "all".equals(family) ? RadiomicsSettings.ALL_FAMILIES : Set.of(family);
        boolean iso = switch (resample) {
            case "none" -> false;
            case "1mm" -> true;
            default -> throw new IllegalArgumentException("resample must be none or 1mm, got " + resample);
        };
        settings = new RadiomicsSettings("lesion".equals(roi) ? 1 : 2, iso ? new io.hounsfield.core.Vec3(1, 1, 1) : null,
                io.hounsfield.core.backend.Interpolation.TRILINEAR, iso,
                Double.NaN, Double.NaN, false, Discretisation.binSize(25), Double.NaN, families, List.of("3D"), "HU");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
        volume.close();
    }

    @Benchmark
    public FeatureSet extract() {
        return extractor.extract(image, mask, settings);
    }
}
