package io.hounsfield.core.io;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads volumes from files of one format. Implementations are stateless and thread-safe. A read
 * either returns a complete volume, owned by the caller, or throws and leaves nothing allocated.
 */
public interface VolumeSource {

    /** Short name of the format, e.g. "NIfTI-1". */
    String formatName();

    /** True if {@code path}'s name has an extension this source reads (content is not inspected). */
    boolean handles(Path path);

    /**
     * @throws VolumeFormatException if the content is not a valid volume of this format, naming what is wrong
     * @throws IOException           if the file cannot be read
     */
    Volume read(Path path, ProgressListener progress) throws IOException;

    default Volume read(Path path) throws IOException {
        return read(path, ProgressListener.NONE);
    }
}
