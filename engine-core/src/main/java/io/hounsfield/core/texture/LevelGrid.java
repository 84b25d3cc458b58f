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
 *
 * <p>A grid {@link #deferred deferred} by a device backend that built it in device memory knows its shape and
 * per-slice counts at once and makes its arrays only when some caller reads them (a matrix built on the host).
 */
public final class LevelGrid {

    private final int nx, ny, nz, ng;
    private int[] levels;
    private boolean[] morph;
    /**
     * A deferred grid's source of its arrays until they are made; null once made (or never deferred). Volatile:
     * the arrays are written before it is cleared, so a reader that sees null sees them.
     */
    private volatile Supplier<LevelGrid> source;
    /** A deferred grid's intensity-mask voxels before each slice ({@code nz + 1} entries); null otherwise. */
    private final long[] before;
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
        this.before = null;
    }

    private LevelGrid(int nx, int ny, int nz, int ng, long[] before, Supplier<LevelGrid> source) {
        this.nx = nx;
        this.ny = ny;
        this.nz = nz;
        this.ng = ng;
        this.before = before;
        this.source = source;
    }

    /**
     * A grid of this shape whose arrays are {@code arrays}'s, made only when first read (once); {@code sliceCounts}
     * holds each slice's intensity-mask voxels, so {@link #count} needs no arrays. The arrays must be that shape's
     * with those counts: reading them checks it.
     */
    public static LevelGrid deferred(int nx, int ny, int nz, int ng, long[] sliceCounts, Supplier<LevelGrid> arrays) {
        if (nx < 1 || ny < 1 || nz < 1 || ng < 1 || sliceCounts.length != nz) {
            throw new IllegalArgumentException("deferred level grid " + nx + "x" + ny + "x" + nz + ", ng " + ng + ", with " + sliceCounts.length
                    + " slice counts");
        }
        long[] before = new long[nz + 1];
        for (int z = 0; z < nz; z++) {
            before[z + 1] = before[z] + sliceCounts[z];
        }
        return new LevelGrid(nx, ny, nz, ng, before, java.util.Objects.requireNonNull(arrays));
    }

    /** Makes a deferred grid's arrays (once), checking that they are its shape, levels and counts. */
    private synchronized void arrays() {
        if (source == null) {
            return;
        }
        LevelGrid g = source.get();
        if (g.nx != nx || g.ny != ny || g.nz != nz || g.ng != ng) {
            throw new IllegalStateException("the arrays of a " + nx + "x" + ny + "x" + nz + " grid of " + ng + " levels came as " + g.nx + "x" + g.ny + "x"
                    + g.nz + " of " + g.ng);
        }
        for (int z = 0; z < nz; z++) {
            if (g.count(z, z + 1) != before[z + 1] - before[z]) {
                throw new IllegalStateException("slice " + z + " holds " + g.count(z, z + 1) + " intensity-mask voxels, the deferred grid said "
                        + (before[z + 1] - before[z]));
            }
        }
        levels = g.levels();
        morph = g.morph();
        source = null;
    }

    /** Whether this grid's arrays exist yet (a deferred grid's are made when first read). */
    public boolean hasArrays() {
        return source == null;
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
        if (source != null) {
            arrays();
        }
        return levels;
    }

    public boolean[] morph() {
        if (source != null) {
            arrays();
        }
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
        if (before != null) {
            return before[z1] - before[z0];
        }
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
