package io.hounsfield.serving.cli;

import io.hounsfield.core.dicom.DicomSeriesReader;
import io.hounsfield.core.dicom.StackAssembler;
import picocli.CommandLine.Option;

import java.util.concurrent.Executor;

/** How to pick and assemble a DICOM series: shared by the commands that read DICOM folders. */
final class DicomOptions {

    @Option(names = "--series", paramLabel = "UID", description = "DICOM: the SeriesInstanceUID to read when the folder holds several.")
    String series;

    @Option(names = "--stack", paramLabel = "N", description = "DICOM: the N-th stack (as `dicom ls` lists them, 1-based) when a series was split.")
    Integer stack;

    @Option(names = "--correct-tilt", description = "DICOM: resample a gantry-tilted (sheared) stack onto an orthogonal grid (bilinear).")
    boolean correctTilt;

    @Option(names = "--drop-duplicates", description = "DICOM: keep one slice of each set at the same position (lowest InstanceNumber).")
    boolean dropDuplicates;

    DicomSeriesReader reader(Executor executor) {
        return new DicomSeriesReader(executor, series, stack, new StackAssembler.Options(correctTilt, dropDuplicates));
    }
}
