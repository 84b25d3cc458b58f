package io.hounsfield.core.io.nifti;

import io.hounsfield.core.VoxelType;

import java.lang.foreign.ValueLayout;

/**
 * NIfTI-1 {@code datatype} codes (nifti1.h, {@code NIFTI_TYPE_*}). Those this reader supports carry the
 * {@link VoxelType} they are read into; int8 widens to int16 (no loss) since volumes have no int8 type.
 */
enum NiftiDatatype {
    UINT8(2, 8, VoxelType.UINT8, ValueLayout.JAVA_BYTE),
    INT16(4, 16, VoxelType.INT16, ValueLayout.JAVA_SHORT_UNALIGNED),
    INT32(8, 32, VoxelType.INT32, ValueLayout.JAVA_INT_UNALIGNED),
    FLOAT32(16, 32, VoxelType.FLOAT32, ValueLayout.JAVA_FLOAT_UNALIGNED),
    FLOAT64(64, 64, VoxelType.FLOAT64, ValueLayout.JAVA_DOUBLE_UNALIGNED),
    INT8(256, 8, VoxelType.INT16, ValueLayout.JAVA_BYTE),
    UINT16(512, 16, VoxelType.UINT16, ValueLayout.JAVA_SHORT_UNALIGNED),
    // Valid NIfTI-1 types without a reader (yet): named so the error can say what the file holds.
    BINARY(1, 1, null, null),
    COMPLEX64(32, 64, null, null),
    RGB24(128, 24, null, null),
    UINT32(768, 32, null, null),
    INT64(1024, 64, null, null),
    UINT64(1280, 64, null, null),
    FLOAT128(1536, 128, null, null),
    COMPLEX128(1792, 128, null, null),
    COMPLEX256(2048, 256, null, null),
    RGBA32(2304, 32, null, null);

    final int code;
    final int bitpix;
    /** The volume type voxels are read into, or null if unsupported. */
    final VoxelType target;
    /** Element layout on disk (byte order set by the caller), or null if unsupported. */
    final ValueLayout layout;

    NiftiDatatype(int code, int bitpix, VoxelType target, ValueLayout layout) {
        this.code = code;
        this.bitpix = bitpix;
        this.target = target;
        this.layout = layout;
    }

    int bytes() {
        return bitpix / 8;
    }

    boolean signedOrFloat() {
        return this != UINT8 && this != UINT16;
    }

    static NiftiDatatype ofCode(int code) {
        for (NiftiDatatype d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }

    static NiftiDatatype of(VoxelType t) {
        return switch (t) {
            case UINT8 -> UINT8;
            case INT16 -> INT16;
            case UINT16 -> UINT16;
            case INT32 -> INT32;
            case FLOAT32 -> FLOAT32;
            case FLOAT64 -> FLOAT64;
        };
    }

    String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
