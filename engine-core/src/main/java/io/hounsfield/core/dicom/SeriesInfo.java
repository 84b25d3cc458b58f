package io.hounsfield.core.dicom;

/**
 * What downstream steps need to know about a series, typed. Absent text values are null, absent
 * numbers NaN. Patient-identifying attributes are deliberately not here, so they cannot reach logs or
 * results through this record.
 */
public record SeriesInfo(String modality, String studyInstanceUid, String seriesInstanceUid, String frameOfReferenceUid,
                         String seriesDescription, String seriesNumber, String manufacturer, String manufacturerModel,
                         String convolutionKernel, double kvp, double sliceThickness, String bodyPart, String sopClassUid) {

    static SeriesInfo of(Dataset ds, double sliceThickness) throws DicomException {
        return new SeriesInfo(
                ds.string(Tag.MODALITY).orElse(null),
                ds.string(Tag.STUDY_INSTANCE_UID).orElse(null),
                ds.string(Tag.SERIES_INSTANCE_UID).orElse(null),
                ds.string(Tag.FRAME_OF_REFERENCE_UID).orElse(null),
                ds.string(Tag.SERIES_DESCRIPTION).orElse(null),
                ds.string(Tag.SERIES_NUMBER).orElse(null),
                ds.string(Tag.MANUFACTURER).orElse(null),
                ds.string(Tag.MANUFACTURER_MODEL_NAME).orElse(null),
                String.join("\\", ds.strings(Tag.CONVOLUTION_KERNEL)).transform(s -> s.isEmpty() ? null : s),
                ds.decimal(Tag.KVP).orElse(Double.NaN),
                sliceThickness,
                ds.string(Tag.BODY_PART_EXAMINED).orElse(null),
                ds.string(Tag.SOP_CLASS_UID).orElse(null));
    }
}
