package io.hounsfield.core.texture;

/**
 * Discretised grey levels on the box of an ROI, the input of every texture matrix (IBSI §3.6–3.11):
 * {@code levels[x + nx·(y + ny·z)]} is the voxel's grey level in 1..ng inside the intensity mask, 0
 * outside; {@code morph} marks the morphological mask (GLDZM measures distances to its edge). Slices
 * are z planes, as IBSI's 2D and 2.5D aggregations use them.
 *
 * @param ng the number of grey levels (matrices are ng wide)
 */
public record LevelGrid(int nx, int ny, int nz, int[] levels, boolean[] morph, int ng) {

    public LevelGrid {
        long n = (long) nx * ny * nz;
        if (nx < 1 || ny < 1 || nz < 1 || levels.length != n || morph.length != n) {
            throw new IllegalArgumentException("level grid " + nx + "x" + ny + "x" + nz + " with " + levels.length + " levels and "
                    + morph.length + " mask entries");
        }
        if (ng < 1) {
            throw new IllegalArgumentException("ng must be >= 1, got " + ng);
        }
        for (int g : levels) {
            if (g < 0 || g > ng) {
                throw new IllegalArgumentException("grey level " + g + " outside 0.." + ng);
            }
        }
    }

    public int index(int x, int y, int z) {
        return x + nx * (y + ny * z);
    }

    public boolean contains(int x, int y, int z) {
        return x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz;
    }

    /** Intensity-mask voxels in slices z0..z1−1. */
    public long count(int z0, int z1) {
        long n = 0;
        for (int i = z0 * nx * ny, end = z1 * nx * ny; i < end; i++) {
            if (levels[i] > 0) {
                n++;
            }
        }
        return n;
    }
}
