package io.hounsfield.core.texture;

/**
 * Slices z0..z1−1 of a {@link LevelGrid} with one voxel of background all round, so that the texture
 * builders step to neighbours by a fixed linear offset with no bounds checks: a neighbour outside the
 * slices or the grid reads level 0 (outside the ROI), which is what IBSI's definitions ask.
 */
final class Padded {

    final int nx, ny, nz, px, py;
    final int[] levels;
    final boolean[] morph;
    /** Padded indices of the intensity-mask voxels, in x-fastest order: the builders visit only these. */
    final int[] roi;

    private Padded(LevelGrid g, int z0, int z1) {
        nx = g.nx();
        ny = g.ny();
        nz = z1 - z0;
        px = nx + 2;
        py = ny + 2;
        levels = new int[px * py * (nz + 2)];
        morph = new boolean[levels.length];
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < ny; y++) {
                int src = g.index(0, y, z0 + z), dst = index(0, y, z);
                System.arraycopy(g.levels(), src, levels, dst, nx);
                System.arraycopy(g.morph(), src, morph, dst, nx);
            }
        }
        int n = 0;
        for (int v : levels) {
            n += v > 0 ? 1 : 0;
        }
        roi = new int[n];
        for (int p = 0, k = 0; p < levels.length; p++) {
            if (levels[p] > 0) {
                roi[k++] = p;
            }
        }
    }

    /** The padded copy of slices z0..z1−1, made once per grid (every matrix of a grid shares it). */
    static Padded of(LevelGrid g, int z0, int z1) {
        if (z0 < 0 || z1 > g.nz() || z0 >= z1) {
            throw new IllegalArgumentException("slices [" + z0 + ", " + z1 + ") outside 0.." + g.nz());
        }
        return g.derived("padded " + z0 + " " + z1, () -> new Padded(g, z0, z1));
    }

    /** Padded linear index of grid voxel (x, y, z) of the slab. */
    int index(int x, int y, int z) {
        return (x + 1) + px * ((y + 1) + py * (z + 1));
    }

    int offset(int dx, int dy, int dz) {
        return dx + px * (dy + py * dz);
    }

    int offset(int[] d) {
        return offset(d[0], d[1], d[2]);
    }

    /** Linear offsets of the 26 (3D) or 8 (in-slice) neighbours; {@code before}: only those visited earlier. */
    int[] neighbourOffsets(boolean threeD, boolean before) {
        int[] out = new int[26];
        int n = 0;
        for (int dz = threeD ? -1 : 0; dz <= (threeD ? 1 : 0); dz++) {
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    boolean earlier = dz < 0 || dz == 0 && (dy < 0 || dy == 0 && dx < 0);
                    if ((dx | dy | dz) != 0 && (!before || earlier)) {
                        out[n++] = offset(dx, dy, dz);
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Voxels of the intensity mask. */
    long count() {
        return roi.length;
    }
}
