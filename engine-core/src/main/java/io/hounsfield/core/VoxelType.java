package io.hounsfield.core;

import java.lang.foreign.ValueLayout;

/**
 * Voxel storage types of a {@link Volume}. Values are stored in native byte order; unsigned types are
 * widened on read (a uint16 of 65535 reads as 65535, not -1).
 */
public enum VoxelType {
    UINT8(1, true, 0, 255),
    INT16(2, true, Short.MIN_VALUE, Short.MAX_VALUE),
    UINT16(2, true, 0, 65535),
    INT32(4, true, Integer.MIN_VALUE, Integer.MAX_VALUE),
    FLOAT32(4, false, -Float.MAX_VALUE, Float.MAX_VALUE),
    FLOAT64(8, false, -Double.MAX_VALUE, Double.MAX_VALUE);

    private final int bytes;
    private final boolean integral;
    private final double min;
    private final double max;

    VoxelType(int bytes, boolean integral, double min, double max) {
        this.bytes = bytes;
        this.integral = integral;
        this.min = min;
        this.max = max;
    }

    /** Bytes per voxel. */
    public int bytes() {
        return bytes;
    }

    public boolean isIntegral() {
        return integral;
    }

    /** Smallest representable value. */
    public double min() {
        return min;
    }

    /** Largest representable value. */
    public double max() {
        return max;
    }

    /** The element layout in native byte order (unsigned types use the signed layout of their width). */
    public ValueLayout layout() {
        return switch (this) {
            case UINT8 -> ValueLayout.JAVA_BYTE;
            case INT16, UINT16 -> ValueLayout.JAVA_SHORT;
            case INT32 -> ValueLayout.JAVA_INT;
            case FLOAT32 -> ValueLayout.JAVA_FLOAT;
            case FLOAT64 -> ValueLayout.JAVA_DOUBLE;
        };
    }

    /** Lower-case name as used on the command line and in files: {@code uint8}, {@code int16}, ... */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the known ids if {@code id} is not one */
    public static VoxelType fromId(String id) {
        for (VoxelType t : values()) {
            if (t.id().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown voxel type '" + id + "'; known: uint8, int16, uint16, int32, float32, float64");
    }
}
