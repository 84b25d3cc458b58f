package io.hounsfield.core;

/**
 * Splits linear voxel indices ({@code x + nx·(y + ny·z)}) into (x, y, z), dividing only when the row
 * changes: for indices visited in ascending order (an ROI sample), nearly every split is a subtraction.
 * Any order is correct, just slower. Not thread-safe: one per loop.
 */
public final class IndexSplitter {

    private final long nx, ny;
    private long rowStart = Long.MIN_VALUE / 2;
    private int x, y, z;

    public IndexSplitter(Extent e) {
        nx = e.nx();
        ny = e.ny();
    }

    /** Splits {@code index}; read the parts with {@link #x()}, {@link #y()}, {@link #z()}. */
    public void split(long index) {
        long d = index - rowStart;
        if (d < 0 || d >= nx) {
            long row = index / nx;
            rowStart = row * nx;
            y = (int) (row % ny);
            z = (int) (row / ny);
            d = index - rowStart;
        }
        x = (int) d;
    }

    public int x() {
        return x;
    }

    public int y() {
        return y;
    }

    public int z() {
        return z;
    }
}
