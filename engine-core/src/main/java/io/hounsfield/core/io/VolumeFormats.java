package io.hounsfield.core.io;

import io.hounsfield.core.dicom.DicomSeriesReader;
import io.hounsfield.core.io.nifti.NiftiReader;
import io.hounsfield.core.io.nifti.NiftiWriter;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The readers and writers Hounsfield has, chosen by file name. */
public final class VolumeFormats {

    private static final List<VolumeSource> SOURCES = List.of(new NiftiReader(), new DicomSeriesReader());
    private static final List<VolumeSink> SINKS = List.of(new NiftiWriter());

    private VolumeFormats() {
    }

    public static List<VolumeSource> sources() {
        return SOURCES;
    }

    public static List<VolumeSink> sinks() {
        return SINKS;
    }

    /** @throws IllegalArgumentException naming the formats that exist if none reads {@code path} */
    public static VolumeSource sourceFor(Path path) {
        return SOURCES.stream().filter(s -> s.handles(path)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no reader for '" + path.getFileName() + "'; readable: " + describe(SOURCES.stream().map(VolumeSource::formatName).toList())));
    }

    /** @throws IllegalArgumentException naming the formats that exist if none writes {@code path} */
    public static VolumeSink sinkFor(Path path) {
        return SINKS.stream().filter(s -> s.handles(path)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "no writer for '" + path.getFileName() + "'; writable: " + describe(SINKS.stream().map(VolumeSink::formatName).toList())));
    }

    private static String describe(List<String> names) {
        return names.stream().collect(Collectors.joining(", "));
    }
}
