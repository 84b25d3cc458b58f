package io.hounsfield.core.dicom;

import io.hounsfield.core.Volume;

import java.util.List;

/**
 * A volume assembled from a DICOM stack, with the series' attributes and what the assembly had to
 * say (corrections made, notes). Owns the volume.
 */
public record DicomVolume(Volume volume, SeriesInfo info, List<String> warnings, List<String> transferSyntaxes)
        implements AutoCloseable {

    public DicomVolume {
        warnings = List.copyOf(warnings);
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    @Override
    public void close() {
        volume.close();
    }
}
