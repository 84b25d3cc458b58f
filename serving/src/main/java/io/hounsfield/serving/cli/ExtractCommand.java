package io.hounsfield.serving.cli;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.Backends;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.PyRadiomicsNames;
import io.hounsfield.radiomics.RadiomicsSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code hounsfield extract}: IBSI features of one ROI, as CSV or JSON. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Compute IBSI radiomic features of a mask label on an image: morphology, local intensity,",
                "intensity statistics, intensity histogram, intensity-volume histogram, GLCM, GLRLM, GLSZM, GLDZM,",
                "NGTDM and NGLDM (the parameter file's featureClass chooses; all by default).",
                "One row per feature and aggregation: IBSI code, family, name, aggregation, value, unit."})
final class ExtractCommand implements Callable<Integer> {

    @Option(names = "--image", required = true, paramLabel = "I", description = "Image: NIfTI (.nii, .nii.gz) or DICOM (folder or file).")
    Path image;

    @Option(names = "--mask", required = true, paramLabel = "M", description = "Label map on the image's grid (NIfTI or DICOM).")
    Path mask;

    @Option(names = "--params", paramLabel = "P", description = "Parameter file in PyRadiomics' YAML layout (see examples/params/).")
    Path params;

    @Option(names = "--label", paramLabel = "N", description = "ROI label (overrides the parameter file; default 1).")
    Integer label;

    @Option(names = "--format", defaultValue = "csv", paramLabel = "F", description = "csv or json. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = "--output", paramLabel = "FILE", description = "Write here (atomically) instead of standard output.")
    Path output;

    @picocli.CommandLine.Mixin
    DicomOptions dicom;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!format.equals("csv") && !format.equals("json")) {
            throw new IllegalArgumentException("--format must be csv or json, got '" + format + "'");
        }
        RadiomicsSettings settings = params == null ? RadiomicsSettings.defaults() : ParameterFile.read(params);
        if (label != null) {
            settings = settings.withLabel(label);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try (pool; Volume img = read(image, pool); Volume m = read(mask, pool); Mask roi = Mask.fromLabels(m);
             Backends.Selected backend = backendOption.open(new CpuBackend(pool, 4 * Runtime.getRuntime().availableProcessors()))) {
            FeatureSet fs = new FeatureExtractor(backend.backend()).extract(img, roi, settings);
            String text = format.equals("csv") ? csv(fs) : json(fs);
            if (output == null) {
                spec.commandLine().getOut().print(text);
                spec.commandLine().getOut().flush();
            } else {
                Path tmp = Files.createTempFile(output.toAbsolutePath().getParent(), "." + output.getFileName(), ".part");
                try {
                    Files.writeString(tmp, text, StandardCharsets.UTF_8);
                    Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        return 0;
    }

    private Volume read(Path p, ExecutorService pool) throws IOException {
        var source = VolumeFormats.sourceFor(p);
        if (source instanceof io.hounsfield.core.dicom.DicomSeriesReader) {
            source = dicom.reader(pool);
        }
        return source.read(p, ConsoleProgress.forStderr());
    }

    static String csv(FeatureSet fs) {
        StringBuilder b = new StringBuilder("ibsi_code,family,name,aggregation,value,unit\n");
        for (FeatureValue f : fs.features()) {
            b.append(f.ibsiCode()).append(',').append(q(f.family())).append(',').append(q(f.name())).append(',')
                    .append(q(f.aggregation())).append(',').append(num(f.value())).append(',').append(q(f.unit())).append('\n');
        }
        return b.toString();
    }

    static String json(FeatureSet fs) {
        StringWriter s = new StringWriter();
        PrintWriter w = new PrintWriter(s);
        var p = fs.provenance();
        w.println("{");
        w.println("  \"provenance\": {");
        w.printf("    \"engine_version\": %s,%n", str(p.engineVersion()));
        w.printf("    \"backend\": %s,%n", str(p.backend()));
        w.printf("    \"settings\": %s,%n", str(p.settings()));
        w.printf("    \"settings_sha256\": %s,%n", str(p.settingsHash()));
        w.printf("    \"input_sha256\": %s,%n", str(p.inputHash()));
        w.print("    \"timings_ms\": {");
        int k = 0;
        for (Map.Entry<String, Double> t : p.timingsMs().entrySet()) {
            w.printf(Locale.ROOT, "%s%s: %.3f", k++ == 0 ? "" : ", ", str(t.getKey()), t.getValue());
        }
        w.println("},");
        w.print("    \"notes\": [");
        for (int i = 0; i < p.notes().size(); i++) {
            w.print((i == 0 ? "" : ", ") + str(p.notes().get(i)));
        }
        w.println("]");
        w.println("  },");
        w.println("  \"features\": [");
        for (int i = 0; i < fs.features().size(); i++) {
            FeatureValue f = fs.features().get(i);
            w.printf("    {\"ibsi_code\": %s, \"family\": %s, \"name\": %s, \"aggregation\": %s, \"value\": %s, \"unit\": %s, \"pyradiomics_name\": %s}%s%n",
                    str(f.ibsiCode()), str(f.family()), str(f.name()), str(f.aggregation()),
                    Double.isFinite(f.value()) ? num(f.value()) : "null", str(f.unit()),
                    PyRadiomicsNames.of(f.ibsiCode(), f.aggregation()).map(ExtractCommand::str).orElse("null"), i + 1 < fs.features().size() ? "," : "");
        }
        w.println("  ]");
        w.println("}");
        w.flush();
        return s.toString();
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.valueOf(v) : "NaN";
    }

    private static String q(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
