package io.hounsfield.serving.grpc;

import io.hounsfield.serving.api.v1.VoxelType;

/** Conversions between the engine's types and {@code hounsfield.v1}'s. */
public final class ProtoTypes {

    private ProtoTypes() {
    }

    public static VoxelType voxelType(io.hounsfield.core.VoxelType t) {
        return switch (t) {
            case UINT8 -> VoxelType.UINT8;
            case INT16 -> VoxelType.INT16;
            case UINT16 -> VoxelType.UINT16;
            case INT32 -> VoxelType.INT32;
            case FLOAT32 -> VoxelType.FLOAT32;
            case FLOAT64 -> VoxelType.FLOAT64;
        };
    }

    /** @throws IllegalArgumentException for an unspecified or unknown type */
    public static io.hounsfield.core.VoxelType voxelType(VoxelType t) {
        return switch (t) {
            case UINT8 -> io.hounsfield.core.VoxelType.UINT8;
            case INT16 -> io.hounsfield.core.VoxelType.INT16;
            case UINT16 -> io.hounsfield.core.VoxelType.UINT16;
            case INT32 -> io.hounsfield.core.VoxelType.INT32;
            case FLOAT32 -> io.hounsfield.core.VoxelType.FLOAT32;
            case FLOAT64 -> io.hounsfield.core.VoxelType.FLOAT64;
            default -> throw new IllegalArgumentException("the header's voxel type is missing");
        };
    }
}
