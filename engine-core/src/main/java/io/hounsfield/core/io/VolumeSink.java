package io.hounsfield.core.io;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes volumes to files of one format. A write replaces the target atomically: readers see the old
 * file or the complete new one, never a half-written file. Thread-safe.
 */
public interface VolumeSink {

    String formatName();

    boolean handles(Path path);

    /**
     * @throws VolumeFormatException if the volume cannot be represented in this format
     * @throws IOException           if the file cannot be written
     */
    void write(Volume volume, Path path, ProgressListener progress) throws IOException;

    default void write(Volume volume, Path path) throws IOException {
        write(volume, path, ProgressListener.NONE);
    }
}
