package io.hounsfield.core;

/**
 * The size of a voxel grid in voxels along x (i), y (j) and z (k). Voxels are stored x fastest,
 * then y, then z, as NIfTI and ITK store them: the linear index of (x, y, z) is
 * {@code x + nx * (y + ny * z)}.
 */
public record Extent(int nx, int ny, int nz) {

    public Extent {
        if (nx < 1 || ny < 1 || nz < 1) {
            throw new IllegalArgumentException("extent must be at least 1 voxel on each axis, got " + nx + "×" + ny + "×" + nz);
        }
    }

    public long voxelCount() {
        return (long) nx * ny * nz;
    }

    public long sliceSize() {
        return (long) nx * ny;
    }

    public long index(int x, int y, int z) {
        return x + (long) nx * (y + (long) ny * z);
    }

    public boolean contains(int x, int y, int z) {
        return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
    }

    public int get(int axis) {
        return switch (axis) {
            case 0 -> nx;
            case 1 -> ny;
            case 2 -> nz;
            default -> throw new IndexOutOfBoundsException("axis " + axis);
        };
    }

    @Override
    public String toString() {
        return nx + "×" + ny + "×" + nz;
    }
}
