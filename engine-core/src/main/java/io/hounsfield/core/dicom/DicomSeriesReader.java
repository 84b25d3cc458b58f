package io.hounsfield.core.dicom;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.VolumeFormatException.Problem;
import io.hounsfield.core.io.VolumeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * Reads one volume from a folder of DICOM files (or one file): scans, groups into stacks, and
 * assembles the one stack asked for — or the only one. Refuses, with the reason, a folder holding a
 * malformed DICOM file, no image, or several stacks when none was chosen. Logs counts and series
 * descriptions, never patient attributes.
 */
public final class DicomSeriesReader implements VolumeSource {

    private static final Logger LOG = LoggerFactory.getLogger(DicomSeriesReader.class);

    private final Executor executor;
    private final String seriesUid;
    private final Integer stack;
    private final StackAssembler.Options options;

    /** Sequential, strict, and requiring a folder of exactly one stack. */
    public DicomSeriesReader() {
        this(Runnable::run, null, null, StackAssembler.Options.STRICT);
    }

    /** As {@link #DicomSeriesReader(Executor, String, Integer, StackAssembler.Options)} without a stack number. */
    public DicomSeriesReader(Executor executor, String seriesUid, StackAssembler.Options options) {
        this(executor, seriesUid, null, options);
    }

    /**
     * @param executor  parses and decodes files in parallel (the caller owns it)
     * @param seriesUid the SeriesInstanceUID to read, or null when the folder must hold one stack
     * @param stack     1-based number of the stack (as listed) among those left after {@code seriesUid}, for
     *                  series split into several stacks; null when only one may be left
     */
    public DicomSeriesReader(Executor executor, String seriesUid, Integer stack, StackAssembler.Options options) {
        this.executor = executor;
        this.seriesUid = seriesUid;
        this.stack = stack;
        this.options = options;
    }

    @Override
    public String formatName() {
        return "DICOM (a folder of files, or one file)";
    }

    @Override
    public boolean handles(Path path) {
        String n = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isDirectory(path) || n.endsWith(".dcm") || n.endsWith(".dicom");
    }

    @Override
    public Volume read(Path path, ProgressListener progress) throws IOException {
        return readSeries(path, progress).volume();
    }

    /** The volume with its series attributes and assembly warnings. */
    public DicomVolume readSeries(Path path, ProgressListener progress) throws IOException {
        DicomScan scan = DicomScan.of(path, executor);
        LOG.debug("{}: {} image files, {} not DICOM, {} without pixels, {} unreadable", path, scan.images().size(), scan.notDicom(),
                scan.noPixels(), scan.failures().size());
        if (!scan.failures().isEmpty()) {
            VolumeFormatException first = scan.failures().getFirst();
            throw new DicomException(first.problem(), path.toString(), -1, scan.failures().size() + " DICOM file(s) cannot be read; first: "
                    + first.getMessage(), first);
        }
        List<Stack> stacks = DicomSeries.stacks(scan.images());
        if (seriesUid != null) {
            stacks = stacks.stream().filter(s -> seriesUid.equals(s.info().seriesInstanceUid())).toList();
        }
        if (stacks.isEmpty()) {
            throw new DicomException(Problem.BAD_HEADER, path.toString(), -1, (seriesUid == null ? "no DICOM images"
                    : "no images of series " + seriesUid) + " (" + scan.notDicom() + " non-DICOM and " + scan.noPixels()
                    + " non-image files skipped)");
        }
        if (stack != null) {
            if (stack < 1 || stack > stacks.size()) {
                throw new DicomException(Problem.AMBIGUOUS, path.toString(), -1, "stack " + stack + " asked for, but there are "
                        + stacks.size());
            }
            stacks = List.of(stacks.get(stack - 1));
        }
        if (stacks.size() > 1) {
            List<Stack> all = stacks;
            throw new DicomException(Problem.AMBIGUOUS, path.toString(), -1, stacks.size() + " stacks; choose one with --series UID"
                    + " (and --stack N where one series was split):\n"
                    + java.util.stream.IntStream.range(0, all.size()).mapToObj(i -> {
                        Stack s = all.get(i);
                        return "  [" + (i + 1) + "] " + s.info().seriesInstanceUid() + "  " + s.info().modality() + "  " + s.dimensions()
                                + "  " + (s.info().seriesDescription() == null ? "" : s.info().seriesDescription());
                    }).collect(Collectors.joining("\n"))
                    + all.stream().flatMap(s -> s.notes().stream()).distinct().map(n -> "\n  note: " + n).collect(Collectors.joining()));
        }
        DicomVolume v = StackAssembler.assemble(stacks.getFirst(), options, executor, progress);
        if (scan.notDicom() > 0) {
            LOG.info("{}: skipped {} file(s) that are not DICOM", path, scan.notDicom());
        }
        v.warnings().forEach(w -> LOG.warn("{}: {}", path, w));
        return v;
    }
}
