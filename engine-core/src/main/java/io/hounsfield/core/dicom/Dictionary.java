package io.hounsfield.core.dicom;

import java.util.HashMap;
import java.util.Map;

/**
 * The part of the PS3.6 data dictionary Hounsfield needs for implicit-VR datasets: the VR and name of
 * every tag it reads. Other tags in implicit VR read as UN (their bytes are kept, never interpreted),
 * or as SQ when their length is undefined.
 */
final class Dictionary {

    private record Entry(VR vr, String name) {
    }

    private static final Map<Integer, Entry> ENTRIES = new HashMap<>();

    private static void add(int tag, VR vr, String name) {
        ENTRIES.put(tag, new Entry(vr, name));
    }

    static {
        add(Tag.FILE_META_GROUP_LENGTH, VR.UL, "FileMetaInformationGroupLength");
        add(Tag.MEDIA_STORAGE_SOP_CLASS_UID, VR.UI, "MediaStorageSOPClassUID");
        add(Tag.TRANSFER_SYNTAX_UID, VR.UI, "TransferSyntaxUID");
        add(Tag.SPECIFIC_CHARACTER_SET, VR.CS, "SpecificCharacterSet");
        add(Tag.IMAGE_TYPE, VR.CS, "ImageType");
        add(Tag.SOP_CLASS_UID, VR.UI, "SOPClassUID");
        add(Tag.SOP_INSTANCE_UID, VR.UI, "SOPInstanceUID");
        add(Tag.MODALITY, VR.CS, "Modality");
        add(Tag.MANUFACTURER, VR.LO, "Manufacturer");
        add(Tag.SERIES_DESCRIPTION, VR.LO, "SeriesDescription");
        add(Tag.MANUFACTURER_MODEL_NAME, VR.LO, "ManufacturerModelName");
        add(Tag.PATIENT_NAME, VR.PN, "PatientName");
        add(Tag.PATIENT_ID, VR.LO, "PatientID");
        add(Tag.BODY_PART_EXAMINED, VR.CS, "BodyPartExamined");
        add(Tag.SLICE_THICKNESS, VR.DS, "SliceThickness");
        add(Tag.KVP, VR.DS, "KVP");
        add(Tag.SPACING_BETWEEN_SLICES, VR.DS, "SpacingBetweenSlices");
        add(Tag.CONVOLUTION_KERNEL, VR.SH, "ConvolutionKernel");
        add(Tag.GANTRY_DETECTOR_TILT, VR.DS, "GantryDetectorTilt");
        add(Tag.STUDY_INSTANCE_UID, VR.UI, "StudyInstanceUID");
        add(Tag.SERIES_INSTANCE_UID, VR.UI, "SeriesInstanceUID");
        add(Tag.SERIES_NUMBER, VR.IS, "SeriesNumber");
        add(Tag.ACQUISITION_NUMBER, VR.IS, "AcquisitionNumber");
        add(Tag.INSTANCE_NUMBER, VR.IS, "InstanceNumber");
        add(Tag.IMAGE_POSITION_PATIENT, VR.DS, "ImagePositionPatient");
        add(Tag.IMAGE_ORIENTATION_PATIENT, VR.DS, "ImageOrientationPatient");
        add(Tag.FRAME_OF_REFERENCE_UID, VR.UI, "FrameOfReferenceUID");
        add(Tag.PLANE_POSITION_SEQUENCE, VR.SQ, "PlanePositionSequence");
        add(Tag.PLANE_ORIENTATION_SEQUENCE, VR.SQ, "PlaneOrientationSequence");
        add(Tag.SAMPLES_PER_PIXEL, VR.US, "SamplesPerPixel");
        add(Tag.PHOTOMETRIC_INTERPRETATION, VR.CS, "PhotometricInterpretation");
        add(Tag.PLANAR_CONFIGURATION, VR.US, "PlanarConfiguration");
        add(Tag.NUMBER_OF_FRAMES, VR.IS, "NumberOfFrames");
        add(Tag.ROWS, VR.US, "Rows");
        add(Tag.COLUMNS, VR.US, "Columns");
        add(Tag.PIXEL_SPACING, VR.DS, "PixelSpacing");
        add(Tag.BITS_ALLOCATED, VR.US, "BitsAllocated");
        add(Tag.BITS_STORED, VR.US, "BitsStored");
        add(Tag.HIGH_BIT, VR.US, "HighBit");
        add(Tag.PIXEL_REPRESENTATION, VR.US, "PixelRepresentation");
        add(Tag.RESCALE_INTERCEPT, VR.DS, "RescaleIntercept");
        add(Tag.RESCALE_SLOPE, VR.DS, "RescaleSlope");
        add(Tag.PIXEL_MEASURES_SEQUENCE, VR.SQ, "PixelMeasuresSequence");
        add(Tag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, VR.SQ, "PixelValueTransformationSequence");
        add(Tag.SHARED_FUNCTIONAL_GROUPS_SEQUENCE, VR.SQ, "SharedFunctionalGroupsSequence");
        add(Tag.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, VR.SQ, "PerFrameFunctionalGroupsSequence");
        add(Tag.PIXEL_DATA, VR.OW, "PixelData");
        add(Tag.FLOAT_PIXEL_DATA, VR.OF, "FloatPixelData");
        add(Tag.DOUBLE_PIXEL_DATA, VR.OD, "DoubleFloatPixelData");
        // Sequences often met in CT/MR headers; knowing them lets implicit-VR parsing descend correctly.
        add(0x00081115, VR.SQ, "ReferencedSeriesSequence");
        add(0x00081140, VR.SQ, "ReferencedImageSequence");
        add(0x00082112, VR.SQ, "SourceImageSequence");
        add(0x00089215, VR.SQ, "DerivationCodeSequence");
        add(0x00400275, VR.SQ, "RequestAttributesSequence");
        add(0x00540016, VR.SQ, "RadiopharmaceuticalInformationSequence");
        add(0x00189346, VR.SQ, "CTDIPhantomTypeCodeSequence");
        add(0x00280108, VR.US, "SmallestPixelValueInSeries"); // VR is US or SS; kept as bytes
        add(0x00280106, VR.US, "SmallestImagePixelValue");
        add(0x00280107, VR.US, "LargestImagePixelValue");
        add(0x00281050, VR.DS, "WindowCenter");
        add(0x00281051, VR.DS, "WindowWidth");
    }

    private Dictionary() {
    }

    /** The VR of {@code tag} for implicit-VR parsing: group lengths are UL; unknown tags are UN. */
    static VR vr(int tag) {
        if ((tag & 0xFFFF) == 0) {
            return VR.UL;
        }
        Entry e = ENTRIES.get(tag);
        return e == null ? VR.UN : e.vr();
    }

    static String name(int tag) {
        Entry e = ENTRIES.get(tag);
        return e == null ? null : e.name();
    }
}
