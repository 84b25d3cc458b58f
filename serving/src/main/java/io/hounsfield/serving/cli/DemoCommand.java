package io.hounsfield.serving.cli;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.Backends;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.core.dicom.DicomSeriesReader;
import io.hounsfield.core.dicom.DicomVolume;
import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.nifti.NiftiReader;
import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.core.ops.MaskedStatistics;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import io.hounsfield.testvolumes.RoiTruth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * {@code hounsfield demo}: the whole pipeline as it exists today, on a CT-like phantom with a lesion,
 * with a summary of what ran where and how long each stage took. It grows as the engine does.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate a CT-like phantom with a liver lesion (or read a DICOM series with --dicom) and run every pipeline",
                "stage that exists so far: NIfTI write and read-back, crop to the ROI, ROI statistics (checked against the",
                "phantom's analytic truth)."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "standard", paramLabel = "SIZE",
            description = "Phantom size: standard (256×256×100, 1.4×1.4×2 mm) or small (64×64×50). Default: ${DEFAULT-VALUE}.")
    String size;

    @Option(names = "--seed", defaultValue = "42", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Keep the NIfTI files written by the demo in DIR (default: a temporary folder, deleted).")
    Path out;

    @Option(names = "--dicom", paramLabel = "DIR", description = "Start from a DICOM folder instead of the phantom (ROI: a threshold mask).")
    Path dicom;

    @picocli.CommandLine.Mixin
    DicomOptions dicomOptions;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private record Stage(String name, String backend, double millis, String result) {
    }

    @Override
    public Integer call() throws IOException {
        CtBody base = switch (size) {
            case "standard" -> CtBody.standard();
            case "small" -> CtBody.small();
            default -> throw new IllegalArgumentException("--size must be standard or small, got '" + size + "'");
        };
        CtBody body = new CtBody(base.extent(), base.spacing(), base.noiseSigmaHu(), seed);
        String be = "cpu"; // I/O, phantoms and ROI statistics run on the CPU; the features on the chosen backend
        ConsoleProgress progress = ConsoleProgress.forStderr();
        List<Stage> stages = new ArrayList<>();
        PrintWriter w = spec.commandLine().getOut();

        Path dir = out != null ? Files.createDirectories(out) : Files.createTempDirectory("hounsfield-demo");
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (pool; Backends.Selected backend = backendOption.open(new CpuBackend(pool, 4 * threads));
             Subject subject = dicom == null ? phantom(body, pool, progress, stages, be, threads) : fromDicom(pool, progress, stages, be)) {
            Path img = dir.resolve("image.nii.gz"), msk = dir.resolve("mask.nii.gz");
            NiftiWriter writer = new NiftiWriter();
            timed(stages, "write NIfTI", be, () -> {
                writer.write(subject.image(), img, progress);
                writer.write(subject.mask().asVolume(), msk, progress);
                return null;
            }, x -> String.format(Locale.ROOT, "%s (%.1f MiB), %s", img.getFileName(), Files.size(img) / 1048576.0, msk.getFileName()));

            NiftiReader reader = new NiftiReader();
            try (Volume image = timed(stages, "read NIfTI", be, () -> reader.read(img, progress), v -> "image");
                 Mask mask = timed(stages, "read NIfTI mask", be, () -> readMask(reader, msk), m -> "mask, uint8 labels")) {
                boolean same = timed(stages, "verify round trip", be, () -> image.geometry().sameGrid(subject.image().geometry(), 1e-4)
                        && image.segment().mismatch(subject.image().segment()) == -1
                        && mask.asVolume().segment().mismatch(subject.mask().asVolume().segment()) == -1,
                        ok -> ok ? "identical voxels and geometry" : "MISMATCH");
                if (!same) {
                    throw new IllegalStateException("the NIfTI round trip changed the volume");
                }
                int first = subject.labels().getFirst();
                try (Mask.Cropped crop = timed(stages, "crop to " + subject.names().get(first), be, () -> mask.cropToLabel(image, first, 5),
                        c -> subject.names().get(first) + " box + 5-voxel margin " + c.box() + ": " + c.image().extent())) {
                    List<MaskedStatistics> stats = new ArrayList<>();
                    timed(stages, "ROI statistics", be, () -> {
                        stats.add(MaskedStatistics.of(crop.image(), crop.mask(), first));
                        for (int label : subject.labels().subList(1, subject.labels().size())) {
                            stats.add(MaskedStatistics.of(image, mask, label));
                        }
                        return stats;
                    }, x -> "count, volume, mean, sd, min, max per ROI");
                    RadiomicsSettings settings = RadiomicsSettings.defaults().withLabel(first);
                    FeatureSet features = timed(stages, "IBSI features", backend.backend().name(),
                            () -> new FeatureExtractor(backend.backend()).extract(crop.image(), crop.mask(), settings),
                            f -> f.features().size() + " features, " + f.features().stream().map(FeatureValue::family).distinct().count() + " families, "
                                    + subject.names().get(first));
                    // Segment-then-extract's first half: the shipped demo model on the whole phantom, scored by Dice.
                    String dice = null;
                    if (!subject.truths().isEmpty()) {
                        dice = timed(stages, "segment (demo model)", "onnx-cpu", () -> segmentAndScore(image, mask, subject, backend.backend()),
                                d -> d);
                    }
                    report(w, subject, backend, stages, stats, out != null ? dir : null);
                    if (dice != null) {
                        w.println("Demo model (ONNX, segmentation/models/demo/README.md) against the phantom's labels: " + dice);
                        w.println();
                    }
                    reportFeatures(w, subject, first, features);
                }
            }
        } finally {
            if (out == null) {
                deleteTree(dir);
            }
        }
        return 0;
    }

    /** What the demo runs on: an image, its mask, the labels to report (the first is cropped to), and truth if known. */
    private record Subject(String title, Volume image, Mask mask, List<Integer> labels, Map<Integer, String> names,
                           Map<Integer, RoiTruth> truths, AutoCloseable owner) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                owner.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    private static Subject phantom(CtBody body, ExecutorService pool, ConsoleProgress progress, List<Stage> stages, String be, int threads)
            throws IOException {
        Phantom p = timed(stages, "generate phantom", be, () -> Phantoms.ctBody(body, pool, progress),
                x -> x.image().type().id() + " " + x.image().extent() + ", labels: lesion, liver, " + threads + " threads");
        String title = "CT-like phantom " + body.extent() + " voxels of " + fmt(body.spacing().x()) + "×" + fmt(body.spacing().y()) + "×"
                + fmt(body.spacing().z()) + " mm, noise σ " + fmt(body.noiseSigmaHu()) + " HU, seed " + body.seed();
        Map<Integer, String> names = new TreeMap<>();
        Map<Integer, RoiTruth> truths = new TreeMap<>();
        for (RoiTruth t : p.truths()) {
            names.put(t.label(), t.name());
            truths.put(t.label(), t);
        }
        return new Subject(title, p.image(), p.mask(), List.of(CtBody.LESION, CtBody.LIVER), names, truths, p);
    }

    /** A DICOM series, with a threshold ROI: CT voxels above −300 HU (the body), other modalities above the volume's mean. */
    private Subject fromDicom(ExecutorService pool, ConsoleProgress progress, List<Stage> stages, String be) throws IOException {
        DicomSeriesReader reader = dicomOptions.reader(pool);
        DicomVolume dv = timed(stages, "read DICOM", be, () -> reader.readSeries(dicom, progress),
                v -> v.volume().type().id() + " " + v.volume().extent() + ", " + String.join(", ", v.transferSyntaxes()));
        try {
            Volume v = dv.volume();
            boolean ct = "CT".equals(dv.info().modality());
            double threshold = ct ? -300 : mean(v);
            Mask m = timed(stages, "threshold ROI", be, () -> {
                Mask mask = Mask.allocate(v.geometry());
                for (long i = 0; i < v.voxelCount(); i++) {
                    if (v.get(i) > threshold) {
                        mask.set(i, 1);
                    }
                }
                return mask;
            }, x -> (ct ? "voxels > -300 HU" : String.format(Locale.ROOT, "voxels > mean (%.4g)", threshold)));
            String title = (dv.info().modality() == null ? "DICOM" : dv.info().modality()) + " series " + v.extent() + " voxels of "
                    + v.geometry().spacing() + " mm from " + dicom;
            return new Subject(title, v, m, List.of(1), Map.of(1, ct ? "body" : "bright"), Map.of(), () -> {
                try (m) {
                    dv.close();
                }
            });
        } catch (IOException | RuntimeException e) {
            dv.close();
            throw e;
        }
    }

    private static double mean(Volume v) {
        double s = 0;
        for (long i = 0; i < v.voxelCount(); i++) {
            s += v.get(i);
        }
        return s / v.voxelCount();
    }

    private static Mask readMask(NiftiReader reader, Path p) throws IOException {
        Volume v = reader.read(p);
        if (v.type() != VoxelType.UINT8) {
            v.close();
            throw new VolumeFormatException(VolumeFormatException.Problem.UNSUPPORTED_DATATYPE, p.toString(), "mask is not uint8");
        }
        return Mask.wrap(v);
    }

    /** Segments {@code image} with the demo model and gives each label's Dice against {@code truth}. */
    private static String segmentAndScore(Volume image, Mask truth, Subject subject, io.hounsfield.core.backend.ComputeBackend backend) {
        try (var registry = io.hounsfield.segmentation.DemoModel.open(io.hounsfield.segmentation.ModelRegistry.Options.defaults());
             var r = new io.hounsfield.segmentation.Segmenter(backend, 4).segment(image,
                     registry.get(io.hounsfield.segmentation.DemoModel.NAME).orElseThrow(), null)) {
            StringBuilder b = new StringBuilder();
            for (int label : subject.labels()) {
                long both = 0, a = 0, t = 0;
                for (long i = 0; i < image.voxelCount(); i++) {
                    boolean x = r.mask().label(i) == label, y = truth.label(i) == label;
                    both += x && y ? 1 : 0;
                    a += x ? 1 : 0;
                    t += y ? 1 : 0;
                }
                b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "Dice %s %.3f", subject.names().get(label),
                        a + t == 0 ? 1 : 2.0 * both / (a + t)));
            }
            return b.toString();
        }
    }

    private void report(PrintWriter w, Subject subject, Backends.Selected backend, List<Stage> stages,
                        List<MaskedStatistics> stats, Path kept) {
        w.println();
        w.println("Hounsfield " + HounsfieldCommand.version() + " demo: " + subject.title());
        w.println("Backend: " + backend.backend().name() + " — " + backend.reason());
        w.println();
        w.printf(Locale.ROOT, "  %-20s %-8s %10s  %s%n", "stage", "backend", "time (ms)", "result");
        double total = 0;
        for (Stage s : stages) {
            w.printf(Locale.ROOT, "  %-20s %-8s %10.1f  %s%n", s.name(), s.backend(), s.millis(), s.result());
            total += s.millis();
        }
        w.printf(Locale.ROOT, "  %-20s %-8s %10.1f%n", "total", "", total);
        w.println();
        boolean truth = !subject.truths().isEmpty();
        w.println(truth ? "ROI statistics against the phantom's analytic truth (volume: voxel counting vs the exact shape):" : "ROI statistics:");
        w.printf(Locale.ROOT, "  %-8s %8s %12s %12s %8s %10s %10s %8s %8s %8s%n",
                "ROI", "voxels", "volume mm³", "truth mm³", "error", "mean", "truth", "sd", "min", "max");
        for (MaskedStatistics s : stats) {
            RoiTruth t = subject.truths().get(s.label());
            w.printf(Locale.ROOT, "  %-8s %8d %12.0f %12s %8s %10.2f %10s %8.2f %8.0f %8.0f%n",
                    subject.names().get(s.label()), s.count(), s.volumeMm3(),
                    t == null ? "-" : String.format(Locale.ROOT, "%.0f", t.volumeMm3()),
                    t == null ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * (s.volumeMm3() - t.volumeMm3()) / t.volumeMm3()),
                    s.mean(), t == null ? "-" : String.format(Locale.ROOT, "%.2f", t.meanIntensity()), s.stdDev(), s.min(), s.max());
        }
        if (kept != null) {
            w.println();
            w.println("Files kept in " + kept.toAbsolutePath());
        }
        w.println();
        w.flush();
    }

    /** A few of the features next to what the phantom's mathematics says, when it is a phantom. */
    private static void reportFeatures(PrintWriter w, Subject subject, int label, FeatureSet fs) {
        RoiTruth t = subject.truths().get(label);
        w.println("IBSI features of the " + subject.names().get(label) + " (bin width 25, no resampling; all "
                + fs.features().size() + " with `hounsfield extract`):");
        w.printf(Locale.ROOT, "  %-5s %-32s %14s %14s%n", "code", "feature", "value", t == null ? "" : "truth");
        String[][] rows = {{"RNU0", "volume"}, {"C0JK", "area"}, {"QCFX", "sphericity"}, {"L0JK", "diameter"}, {"Q4LE", "mean"},
            {"VJGA", null}, {"0F91", null}, {"TLU2", null}};
        for (String[] r : rows) {
            fs.features().stream().filter(f -> f.ibsiCode().equals(r[0])).findFirst().ifPresent(f -> {
                String truth = "";
                if (t != null && r[1] != null) {
                    truth = switch (r[1]) {
                        case "volume" -> String.format(Locale.ROOT, "%.1f", t.volumeMm3());
                        case "area" -> String.format(Locale.ROOT, "%.1f", t.surfaceAreaMm2());
                        case "mean" -> String.format(Locale.ROOT, "%.1f", t.meanIntensity());
                        case "sphericity" -> subject.title().contains("phantom") ? "1 (sphere)" : "";
                        case "diameter" -> subject.title().contains("phantom") ? "30 (sphere)" : "";
                        default -> "";
                    };
                }
                w.printf(Locale.ROOT, "  %-5s %-32s %14.6g %14s%n", f.ibsiCode(), f.name(), f.value(), truth);
            });
        }
        w.println("  (marching cubes overestimates the area of binary masks by about 8 %; see README)");
        w.println();
        w.println("Segment-then-extract on your own image: hounsfield analyze IMAGE; the same over gRPC: hounsfield serve, then hounsfield client analyze IMAGE.");
        w.flush();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws IOException;
    }

    @FunctionalInterface
    private interface Describe<T> {
        String apply(T result) throws IOException;
    }

    private static <T> T timed(List<Stage> stages, String name, String backend, Step<T> step, Describe<T> describe)
            throws IOException {
        long t0 = System.nanoTime();
        T result = step.run();
        double ms = (System.nanoTime() - t0) / 1e6;
        stages.add(new Stage(name, backend, ms, describe.apply(result)));
        return result;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
