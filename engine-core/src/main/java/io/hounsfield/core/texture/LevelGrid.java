package io.hounsfield.core.texture;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Discretised grey levels on the box of an ROI, the input of every texture matrix (IBSI §3.6–3.11):
 * {@code levels[x + nx·(y + ny·z)]} is the voxel's grey level in 1..ng inside the intensity mask, 0
 * outside; {@code morph} marks the morphological mask (GLDZM measures distances to its edge). Slices
 * are z planes, as IBSI's 2D and 2.5D aggregations use them.
 *
 * <p>Treated as immutable (do not change the arrays after construction): the builders share derived
 * data between matrices — padded copies of slices, zone labels — through a cache on the grid.
 * Thread-safe.
 */
public final class LevelGrid {

    private final int nx, ny, nz, ng;
    private final int[] levels;
    private final boolean[] morph;
    private final ConcurrentHashMap<String, Object> derived = new ConcurrentHashMap<>();

    /** @param ng the number of grey levels (matrices are ng wide) */
    public LevelGrid(int nx, int ny, int nz, int[] levels, boolean[] morph, int ng) {
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
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.levels = levels;
        this.morph = morph;
        this.ng = ng;
    }

    public int nx() {
        return nx;
    }

    public int ny() {
        return ny;
    }

    public int nz() {
        return nz;
    }

    public int ng() {
        return ng;
    }

    public int[] levels() {
        return levels;
    }

    public boolean[] morph() {
        return morph;
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

    /** Derived data computed once per grid and key (concurrent callers may compute it twice; one result is kept). */
    @SuppressWarnings("unchecked")
    <T> T derived(String key, Supplier<T> make) {
        Object v = derived.get(key);
        if (v == null) {
            v = make.get();
            Object prev = derived.putIfAbsent(key, v);
            if (prev != null) {
                v = prev;
            }
        }
        return (T) v;
    }
}
