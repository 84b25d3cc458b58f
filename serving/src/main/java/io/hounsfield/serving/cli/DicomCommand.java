package io.hounsfield.serving.cli;

import io.hounsfield.core.dicom.DicomScan;
import io.hounsfield.core.dicom.DicomSeries;
import io.hounsfield.core.dicom.Stack;
import io.hounsfield.core.dicom.StackAssembler;
import io.hounsfield.core.io.VolumeFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code hounsfield dicom ...}: look at DICOM folders. */
@Command(name = "dicom", mixinStandardHelpOptions = true, description = "Inspect DICOM folders.",
        subcommands = {DicomCommand.Ls.class})
final class DicomCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = {"List the series (stacks) in a folder: modality, dimensions, spacing, transfer syntaxes, and what would",
                    "stop them from becoming a volume (gaps, duplicates, tilt). Reads headers only."})
    static final class Ls implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "Folder (searched recursively) or file.")
        Path dir;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
            try (pool) {
                DicomScan scan = DicomScan.of(dir, pool);
                List<Stack> stacks = DicomSeries.stacks(scan.images());
                out.printf(Locale.ROOT, "%s: %d image file(s) in %d stack(s); skipped %d non-DICOM and %d non-image file(s); %d unreadable%n",
                        dir, scan.images().size(), stacks.size(), scan.notDicom(), scan.noPixels(), scan.failures().size());
                for (Stack s : stacks) {
                    out.println();
                    out.println("series " + s.info().seriesInstanceUid());
                    row(out, "modality", s.info().modality());
                    row(out, "description", s.info().seriesDescription());
                    row(out, "dimensions", s.dimensions() + " (columns×rows×slices)");
                    row(out, "spacing", spacing(s));
                    row(out, "orientation", String.format(Locale.ROOT, "row %s, column %s", s.first().rowDirection(), s.first().columnDirection()));
                    row(out, "encoding", String.join(", ", s.transferSyntaxes()));
                    row(out, "kernel", s.info().convolutionKernel());
                    row(out, "manufacturer", s.info().manufacturer());
                    for (String note : s.notes()) {
                        row(out, "note", note);
                    }
                    List<String> problems = StackAssembler.problems(s);
                    row(out, "status", problems.isEmpty() ? "ok: assembles into one volume" : "will not assemble as is");
                    for (String p : problems) {
                        row(out, "warning", p);
                    }
                }
                for (VolumeFormatException f : scan.failures()) {
                    out.println();
                    out.println("unreadable: " + f.getMessage());
                }
                out.flush();
                return scan.failures().isEmpty() ? 0 : 1;
            }
        }

        private static String spacing(Stack s) {
            int n = s.slices().size();
            String z = n < 2 ? "single slice" : String.format(Locale.ROOT, "%.4g mm between slices (mean)",
                    (s.along(n - 1) - s.along(0)) / (n - 1));
            return String.format(Locale.ROOT, "%.4g × %.4g mm in plane, %s", s.first().columnSpacing(), s.first().rowSpacing(), z);
        }

        private static void row(PrintWriter out, String key, String value) {
            if (value != null) {
                out.printf(Locale.ROOT, "  %-12s %s%n", key, value);
            }
        }
    }
}
