package io.hounsfield.segmentation;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models of one directory ({@code NAME.onnx} with {@code NAME.yaml}, {@code .yml} or {@code .json}
 * beside it), loaded once and shared by every request. ONNX Runtime's CPU execution provider by
 * default; with {@code cuda} the CUDA provider is tried first, and when it cannot load (the Maven
 * {@code onnxruntime_gpu} build needs CUDA 12 and cuDNN 9 libraries; the default build has no CUDA
 * provider at all) the reason is logged once and the CPU provider is used. Thread-safe.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

    /**
     * @param intraOpThreads threads ONNX Runtime uses inside one inference (0: its default, all cores)
     * @param cuda           try the CUDA execution provider
     */
    public record Options(int intraOpThreads, boolean cuda) {
        public static Options defaults() {
            return new Options(Runtime.getRuntime().availableProcessors(), false);
        }
    }

    private final Map<String, OnnxModel> models;
    private final String provider;

    private ModelRegistry(Map<String, OnnxModel> models, String provider) {
        this.models = models;
        this.provider = provider;
    }

    /**
     * Loads every model of {@code dir}.
     *
     * @throws ModelException for the first model or descriptor that cannot be used (the others are closed)
     */
    public static ModelRegistry open(Path dir, Options options) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String[] provider = {"cpu"};
        Map<String, OnnxModel> models = new LinkedHashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".onnx")).sorted().toList();
        } catch (IOException e) {
            throw new ModelException(ModelException.Problem.NO_DESCRIPTOR, dir, "cannot list the model directory: " + e.getMessage(), e);
        }
        try {
            for (Path onnx : files) {
                ModelDescriptor d = ModelDescriptor.read(descriptorOf(onnx));
                try (OrtSession.SessionOptions so = sessionOptions(options, provider)) {
                    OnnxModel m = OnnxModel.load(env, onnx, d, so);
                    models.put(d.name(), m);
                }
            }
        } catch (RuntimeException e) {
            models.values().forEach(OnnxModel::close);
            throw e;
        }
        return new ModelRegistry(Collections.unmodifiableMap(models), provider[0]);
    }

    private static Path descriptorOf(Path onnx) {
        String base = onnx.getFileName().toString().replaceFirst("\\.onnx$", "");
        for (String ext : List.of(".yaml", ".yml", ".json")) {
            Path p = onnx.resolveSibling(base + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new ModelException(ModelException.Problem.NO_DESCRIPTOR, onnx, "no descriptor beside it (" + base + ".yaml or " + base + ".json)");
    }

    private static volatile boolean cudaReported;

    private static OrtSession.SessionOptions sessionOptions(Options o, String[] provider) {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        try {
            if (o.intraOpThreads() > 0) {
                so.setIntraOpNumThreads(o.intraOpThreads());
            }
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (o.cuda()) {
                try {
                    so.addCUDA(0);
                    provider[0] = "cuda";
                } catch (OrtException | RuntimeException e) {
                    if (!cudaReported) {
                        cudaReported = true;
                        LOG.warn("ONNX Runtime's CUDA execution provider is unavailable ({}); models run on the CPU provider", e.getMessage());
                    }
                }
            }
            return so;
        } catch (OrtException e) {
            so.close();
            throw new IllegalStateException("configuring an ONNX Runtime session", e);
        }
    }

    /** The model called {@code name}. */
    public Optional<OnnxModel> get(String name) {
        return Optional.ofNullable(models.get(name));
    }

    public List<OnnxModel> models() {
        return new ArrayList<>(models.values());
    }

    /** "cpu" or "cuda": the execution provider the sessions run on. */
    public String provider() {
        return provider;
    }

    @Override
    public void close() {
        models.values().forEach(OnnxModel::close);
    }
}
