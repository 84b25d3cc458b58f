package io.hounsfield.serving.cli;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.BackendAvailability;
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
        description = {"Generate a CT-like phantom with a liver lesion and run every pipeline stage that exists so far:",
                "NIfTI write and read-back, crop to the lesion, ROI statistics checked against the phantom's analytic truth."})
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "standard", paramLabel = "SIZE",
            description = "Phantom size: standard (256×256×100, 1.4×1.4×2 mm) or small (64×64×50). Default: ${DEFAULT-VALUE}.")
    String size;

    @Option(names = "--seed", defaultValue = "42", description = "Noise seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Keep the NIfTI files written by the demo in DIR (default: a temporary folder, deleted).")
    Path out;

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
        BackendAvailability backend = BackendAvailability.detect();
        String be = backend.chosen();
        ConsoleProgress progress = ConsoleProgress.forStderr();
        List<Stage> stages = new ArrayList<>();
        PrintWriter w = spec.commandLine().getOut();

        Path dir = out != null ? Files.createDirectories(out) : Files.createTempDirectory("hounsfield-demo");
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (pool; Phantom phantom = timed(stages, "generate phantom", be, () -> Phantoms.ctBody(body, pool, progress),
                p -> p.image().type().id() + " " + p.image().extent() + ", labels: lesion, liver, " + threads + " threads")) {
            Path img = dir.resolve("ct-phantom.nii.gz"), msk = dir.resolve("ct-phantom-mask.nii.gz");
            NiftiWriter writer = new NiftiWriter();
            timed(stages, "write NIfTI", be, () -> {
                writer.write(phantom.image(), img, progress);
                writer.write(phantom.mask().asVolume(), msk, progress);
                return null;
            }, x -> String.format(Locale.ROOT, "%s (%.1f MiB), %s", img.getFileName(), Files.size(img) / 1048576.0, msk.getFileName()));

            NiftiReader reader = new NiftiReader();
            try (Volume image = timed(stages, "read NIfTI", be, () -> reader.read(img, progress), v -> "image");
                 Mask mask = timed(stages, "read NIfTI mask", be, () -> readMask(reader, msk), m -> "mask, uint8 labels")) {
                boolean same = timed(stages, "verify round trip", be, () -> image.geometry().sameGrid(phantom.image().geometry(), 1e-4)
                        && image.segment().mismatch(phantom.image().segment()) == -1
                        && mask.asVolume().segment().mismatch(phantom.mask().asVolume().segment()) == -1,
                        ok -> ok ? "identical voxels and geometry" : "MISMATCH");
                if (!same) {
                    throw new IllegalStateException("the NIfTI round trip changed the volume");
                }

                try (Mask.Cropped crop = timed(stages, "crop to lesion", be, () -> mask.cropToLabel(image, CtBody.LESION, 5),
                        c -> "lesion box + 5-voxel margin " + c.box() + ": " + c.image().extent())) {
                    List<MaskedStatistics> stats = timed(stages, "ROI statistics", be, () -> List.of(
                            MaskedStatistics.of(crop.image(), crop.mask(), CtBody.LESION),
                            MaskedStatistics.of(image, mask, CtBody.LIVER)), s -> "count, volume, mean, sd, min, max per ROI");
                    report(w, body, backend, stages, stats, phantom, out != null ? dir : null);
                }
            }
        } finally {
            if (out == null) {
                deleteTree(dir);
            }
        }
        return 0;
    }

    private static Mask readMask(NiftiReader reader, Path p) throws IOException {
        Volume v = reader.read(p);
        if (v.type() != VoxelType.UINT8) {
            v.close();
            throw new VolumeFormatException(VolumeFormatException.Problem.UNSUPPORTED_DATATYPE, p.toString(), "mask is not uint8");
        }
        return Mask.wrap(v);
    }

    private void report(PrintWriter w, CtBody body, BackendAvailability backend, List<Stage> stages,
                        List<MaskedStatistics> stats, Phantom phantom, Path kept) {
        w.println();
        w.println("Hounsfield " + HounsfieldCommand.version() + " demo: CT-like phantom " + body.extent() + " voxels of "
                + fmt(body.spacing().x()) + "×" + fmt(body.spacing().y()) + "×" + fmt(body.spacing().z()) + " mm, noise σ "
                + fmt(body.noiseSigmaHu()) + " HU, seed " + body.seed());
        w.println("Backend: " + backend.chosen() + " — " + backend.reason());
        w.println();
        w.printf(Locale.ROOT, "  %-20s %-8s %10s  %s%n", "stage", "backend", "time (ms)", "result");
        double total = 0;
        for (Stage s : stages) {
            w.printf(Locale.ROOT, "  %-20s %-8s %10.1f  %s%n", s.name(), s.backend(), s.millis(), s.result());
            total += s.millis();
        }
        w.printf(Locale.ROOT, "  %-20s %-8s %10.1f%n", "total", "", total);
        w.println();
        w.println("ROI statistics against the phantom's analytic truth (volume: voxel counting vs the exact shape):");
        w.printf(Locale.ROOT, "  %-8s %8s %12s %12s %8s %10s %10s %8s %8s %8s%n",
                "ROI", "voxels", "volume mm³", "truth mm³", "error", "mean HU", "truth HU", "sd HU", "min", "max");
        for (MaskedStatistics s : stats) {
            RoiTruth t = phantom.truth(s.label());
            w.printf(Locale.ROOT, "  %-8s %8d %12.0f %12.0f %7.2f%% %10.2f %10.2f %8.2f %8.0f %8.0f%n",
                    t.name(), s.count(), s.volumeMm3(), t.volumeMm3(), 100 * (s.volumeMm3() - t.volumeMm3()) / t.volumeMm3(),
                    s.mean(), t.meanIntensity(), s.stdDev(), s.min(), s.max());
        }
        w.println();
        w.println("Not in the pipeline yet: IBSI radiomic features, the CUDA backend, DICOM ingest, ONNX segmentation, gRPC serving.");
        if (kept != null) {
            w.println("Files kept in " + kept.toAbsolutePath());
        }
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
