package io.hounsfield.core.dicom;

import java.util.Locale;

/**
 * DICOM attribute tags used by Hounsfield, as {@code (group << 16) | element}. Names and numbers follow
 * PS3.6 (the data dictionary).
 */
public final class Tag {

    private Tag() {
    }

    public static final int FILE_META_GROUP_LENGTH = 0x00020000;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x00020002;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;

    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int IMAGE_TYPE = 0x00080008;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int MODALITY = 0x00080060;
    public static final int MANUFACTURER = 0x00080070;
    public static final int SERIES_DESCRIPTION = 0x0008103E;
    public static final int MANUFACTURER_MODEL_NAME = 0x00081090;

    public static final int PATIENT_NAME = 0x00100010;
    public static final int PATIENT_ID = 0x00100020;

    public static final int BODY_PART_EXAMINED = 0x00180015;
    public static final int SLICE_THICKNESS = 0x00180050;
    public static final int KVP = 0x00180060;
    public static final int SPACING_BETWEEN_SLICES = 0x00180088;
    public static final int CONVOLUTION_KERNEL = 0x00181210;
    public static final int GANTRY_DETECTOR_TILT = 0x00181120;

    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int SERIES_NUMBER = 0x00200011;
    public static final int ACQUISITION_NUMBER = 0x00200012;
    public static final int INSTANCE_NUMBER = 0x00200013;
    public static final int IMAGE_POSITION_PATIENT = 0x00200032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x00200037;
    public static final int FRAME_OF_REFERENCE_UID = 0x00200052;
    public static final int PLANE_POSITION_SEQUENCE = 0x00209113;
    public static final int PLANE_ORIENTATION_SEQUENCE = 0x00209116;

    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int PIXEL_SPACING = 0x00280030;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int PLANAR_CONFIGURATION = 0x00280006;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int PIXEL_MEASURES_SEQUENCE = 0x00289110;
    public static final int PIXEL_VALUE_TRANSFORMATION_SEQUENCE = 0x00289145;

    public static final int SHARED_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009229;
    public static final int PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009230;

    public static final int PIXEL_DATA = 0x7FE00010;
    public static final int FLOAT_PIXEL_DATA = 0x7FE00008;
    public static final int DOUBLE_PIXEL_DATA = 0x7FE00009;

    public static final int ITEM = 0xFFFEE000;
    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    public static int group(int tag) {
        return tag >>> 16;
    }

    /** "(0028,0010)". */
    public static String format(int tag) {
        return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }

    /** "(0028,0010) Rows" for the tags named here, else just the number. */
    public static String describe(int tag) {
        String name = Dictionary.name(tag);
        return name == null ? format(tag) : format(tag) + " " + name;
    }
}
