package io.hounsfield.serving.cli;

import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.VolumeFormats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.hounsfield.core.dicom.DicomSeriesReader;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;

/** {@code hounsfield convert}: read a volume in one format and write it in another. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a volume: read NIfTI-1 (.nii, .nii.gz) or DICOM (a folder or a file), write NIfTI-1.",
                "Geometry is kept (LPS world coordinates); scaled data are written as the scaled values.",
                "A DICOM folder with a gap, duplicate slices, gantry tilt or a malformed file is refused with the reason;",
                "one with several series lists them and asks for --series."})
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "INPUT", description = "Volume to read (.nii, .nii.gz).")
    Path input;

    @Parameters(index = "1", paramLabel = "OUTPUT", description = "Volume to write; the format follows the name.")
    Path output;

    @Option(names = "--type", paramLabel = "TYPE",
            description = "Voxel type of the output: uint8, int16, uint16, int32, float32, float64 (default: the input's). "
                    + "Integer types round and saturate.")
    String type;

    @picocli.CommandLine.Mixin
    DicomOptions dicom;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        VoxelType target = type == null ? null : VoxelType.fromId(type);
        var source = VolumeFormats.sourceFor(input);
        var sink = VolumeFormats.sinkFor(output);
        ConsoleProgress progress = ConsoleProgress.forStderr();
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        if (source instanceof DicomSeriesReader) {
            source = dicom.reader(pool);
        }
        try (pool; Volume in = source.read(input, progress)) {
            Volume out = target == null || target == in.type() ? in : in.convertTo(target);
            try {
                sink.write(out, output, progress);
            } finally {
                if (out != in) {
                    out.close();
                }
            }
            spec.commandLine().getOut().printf("%s -> %s: %s %s, spacing %s mm%n", input, output,
                    out.type().id(), out.extent(), out.geometry().spacing());
        }
        return 0;
    }
}
