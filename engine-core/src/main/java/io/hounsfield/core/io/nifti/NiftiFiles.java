package io.hounsfield.core.io.nifti;

import java.nio.file.Path;
import java.util.Locale;

/** What reader and writer share about NIfTI-1 file names. */
final class NiftiFiles {

    static final String FORMAT_NAME = "NIfTI-1 (.nii, .nii.gz)";

    private NiftiFiles() {
    }

    static boolean hasNiftiName(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".nii") || n.endsWith(".nii.gz");
    }
}
