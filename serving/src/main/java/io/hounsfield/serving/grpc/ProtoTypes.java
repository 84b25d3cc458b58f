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

    /**
     * The engine's geometry from the wire's (3 extents, 3 spacings; origin and direction optional).
     *
     * @throws IllegalArgumentException naming what is missing or malformed
     */
    public static io.hounsfield.core.Geometry geometry(io.hounsfield.serving.api.v1.Geometry g) {
        if (g.getExtentCount() != 3 || g.getSpacingMmCount() != 3) {
            throw new IllegalArgumentException("the geometry needs 3 extents and 3 spacings, got " + g.getExtentCount() + " and "
                    + g.getSpacingMmCount());
        }
        io.hounsfield.core.Vec3 origin;
        if (g.getOriginMmCount() == 3) {
            origin = new io.hounsfield.core.Vec3(g.getOriginMm(0), g.getOriginMm(1), g.getOriginMm(2));
        } else if (g.getOriginMmCount() == 0) {
            origin = io.hounsfield.core.Vec3.ZERO;
        } else {
            throw new IllegalArgumentException("origin needs 3 values, got " + g.getOriginMmCount());
        }
        io.hounsfield.core.Mat3 dir = io.hounsfield.core.Mat3.IDENTITY;
        if (g.getDirectionCount() == 9) {
            double[] d = g.getDirectionList().stream().mapToDouble(Double::doubleValue).toArray();
            dir = new io.hounsfield.core.Mat3(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
        } else if (g.getDirectionCount() != 0) {
            throw new IllegalArgumentException("direction needs 9 values (row-major 3x3), got " + g.getDirectionCount());
        }
        return new io.hounsfield.core.Geometry(new io.hounsfield.core.Extent(g.getExtent(0), g.getExtent(1), g.getExtent(2)),
                new io.hounsfield.core.Vec3(g.getSpacingMm(0), g.getSpacingMm(1), g.getSpacingMm(2)), origin, dir);
    }
}
