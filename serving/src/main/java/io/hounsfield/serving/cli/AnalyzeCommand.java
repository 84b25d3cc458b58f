package io.hounsfield.serving.cli;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.Backends;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.segmentation.OnnxModel;
import io.hounsfield.segmentation.Segmenter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code hounsfield analyze}: segment-then-extract. Segments the image with a model (the shipped demo
 * model by default), writes the mask as NIfTI, and the IBSI features of every label the model found.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Segment an image with an ONNX model, then extract IBSI features of every label: mask.nii.gz and "
                + "features-<label>.csv|json in --out, per-stage timings on the console.")
final class AnalyzeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCommand.class);

    @Parameters(index = "0", paramLabel = "IMAGE", description = "A DICOM folder (or file) or a NIfTI image (.nii, .nii.gz).")
    Path image;

    @Option(names = "--model", paramLabel = "DIR", description = "Folder of NAME.onnx + NAME.yaml models (default: the shipped demo model).")
    Path modelDir;

    @Option(names = "--model-name", paramLabel = "NAME", description = "Which model of --model (default: the only one).")
    String modelName;

    @Option(names = "--params", paramLabel = "P", description = "Radiomics parameter file (PyRadiomics layout; see examples/params/).")
    Path params;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "hounsfield-analysis", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--format", defaultValue = "csv", description = "csv or json. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--onnx-cuda", description = "Try ONNX Runtime's CUDA execution provider (falls back to the CPU provider, saying why).")
    boolean onnxCuda;

    @picocli.CommandLine.Mixin
    DicomOptions dicom;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("csv") && !format.equals("json")) {
            throw new IllegalArgumentException("--format must be csv or json, got '" + format + "'");
        }
        RadiomicsSettings base = params == null ? RadiomicsSettings.defaults() : ParameterFile.read(params);
        int threads = Runtime.getRuntime().availableProcessors();
        PrintWriter w = spec.commandLine().getOut();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ModelRegistry.Options mo = new ModelRegistry.Options(threads, onnxCuda);
        long t0 = System.nanoTime();
        try (pool; ModelRegistry registry = modelDir == null ? DemoModel.open(mo) : ModelRegistry.open(modelDir, mo);
             Backends.Selected backend = backendOption.open(new CpuBackend(pool, 4 * threads))) {
            OnnxModel model = pick(registry);
            double load = ms(t0);
            long t1 = System.nanoTime();
            var source = VolumeFormats.sourceFor(image);
            if (source instanceof io.hounsfield.core.dicom.DicomSeriesReader) {
                source = dicom.reader(pool);
            }
            try (Volume img = source.read(image, ConsoleProgress.forStderr())) {
                double read = ms(t1);
                try (Segmenter.Result seg = new Segmenter(backend.backend(), 4).segment(img, model, null)) {
                    Files.createDirectories(out);
                    Path maskFile = out.resolve("mask.nii.gz");
                    new NiftiWriter().write(seg.mask().asVolume(), maskFile, ConsoleProgress.forStderr());
                    w.printf(Locale.ROOT, "Model %s (%s, ONNX Runtime %s provider), backend %s — %s%n", model.descriptor().name(), model.file().getFileName(),
                            registry.provider(), backend.backend().name(), backend.reason());
                    w.printf(Locale.ROOT, "  %-32s %10.1f ms%n", "load model", load);
                    w.printf(Locale.ROOT, "  %-32s %10.1f ms  %s%n", "read image", read, img.extent());
                    for (Map.Entry<String, Double> t : seg.timingsMs().entrySet()) {
                        w.printf(Locale.ROOT, "  %-32s %10.1f ms%n", "segment: " + t.getKey(), t.getValue());
                    }
                    w.printf("  wrote %s%n", maskFile);
                    int found = 0;
                    // Every label's extraction reads the same image and mask: a device backend uploads them once.
                    try (var held = backend.backend().hold("analysis", img, seg.mask().asVolume())) {
                        for (int label = 1; label < model.descriptor().labels().size(); label++) {
                            String name = model.descriptor().labels().get(label);
                            long voxels = seg.mask().count(label);
                            if (voxels == 0) {
                                // A documented result, not an error: the model found nothing of this label.
                                w.printf("  %-24s none found: no features%n", name);
                                LOG.warn("the model found no {} (label {}) in {}", name, label, image);
                                continue;
                            }
                            found++;
                            long t2 = System.nanoTime();
                            FeatureSet fs = new FeatureExtractor(backend.backend()).extract(img, seg.mask(), base.withLabel(label));
                            Path f = out.resolve("features-" + name + "." + format);
                            Files.writeString(f, format.equals("csv") ? ExtractCommand.csv(fs) : ExtractCommand.json(fs), StandardCharsets.UTF_8);
                            w.printf(Locale.ROOT, "  %-32s %10.1f ms  %d voxels, %d features → %s%n", "features: " + name, ms(t2), voxels,
                                    fs.features().size(), f);
                        }
                    }
                    w.printf(Locale.ROOT, "  %-32s %10.1f ms  %d of %d labels found%n", "total", ms(t0), found, model.descriptor().labels().size() - 1);
                }
            }
        }
        w.flush();
        return 0;
    }

    private OnnxModel pick(ModelRegistry registry) {
        if (modelName != null) {
            return registry.get(modelName).orElseThrow(() -> new IllegalArgumentException("no model '" + modelName + "' in " + modelDir
                    + "; it holds " + registry.models().stream().map(m -> m.descriptor().name()).toList()));
        }
        if (registry.models().size() != 1) {
            throw new IllegalArgumentException(modelDir + " holds " + registry.models().size() + " models "
                    + registry.models().stream().map(m -> m.descriptor().name()).toList() + ": choose one with --model-name");
        }
        return registry.models().getFirst();
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
