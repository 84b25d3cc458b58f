package io.hounsfield.core;

/**
 * An axis-aligned box of voxel indices: {@code [x0, x1) × [y0, y1) × [z0, z1)}, minimum inclusive,
 * maximum exclusive. Never empty.
 */
public record IndexBox(int x0, int y0, int z0, int x1, int y1, int z1) {

    public IndexBox {
        if (x1 <= x0 || y1 <= y0 || z1 <= z0) {
            throw new IllegalArgumentException("empty box " + x0 + ".." + x1 + ", " + y0 + ".." + y1 + ", " + z0 + ".." + z1);
        }
    }

    /** The whole grid. */
    public static IndexBox of(Extent e) {
        return new IndexBox(0, 0, 0, e.nx(), e.ny(), e.nz());
    }

    /**
     * The smallest box holding the voxels {@code indices} (linear indices into a grid of extent {@code e}, x
     * fastest).
     *
     * @throws IllegalArgumentException if there are none
     */
    public static IndexBox bounding(long[] indices, Extent e) {
        if (indices.length == 0) {
            throw new IllegalArgumentException("no voxel to bound");
        }
        int x0 = Integer.MAX_VALUE, x1 = -1, y0 = Integer.MAX_VALUE, y1 = -1, z0 = Integer.MAX_VALUE, z1 = -1;
        IndexSplitter at = new IndexSplitter(e);
        for (long i : indices) {
            at.split(i);
            int x = at.x(), y = at.y(), z = at.z();
            x0 = Math.min(x0, x);
            x1 = Math.max(x1, x);
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
            z0 = Math.min(z0, z);
            z1 = Math.max(z1, z);
        }
        return new IndexBox(x0, y0, z0, x1 + 1, y1 + 1, z1 + 1);
    }

    /** The smallest box holding both. */
    public IndexBox union(IndexBox o) {
        return new IndexBox(Math.min(x0, o.x0), Math.min(y0, o.y0), Math.min(z0, o.z0), Math.max(x1, o.x1), Math.max(y1, o.y1),
                Math.max(z1, o.z1));
    }

    public Extent extent() {
        return new Extent(x1 - x0, y1 - y0, z1 - z0);
    }

    public boolean contains(int x, int y, int z) {
        return x >= x0 && x < x1 && y >= y0 && y < y1 && z >= z0 && z < z1;
    }

    /** True if this box lies inside a grid of extent {@code e}. */
    public boolean within(Extent e) {
        return x0 >= 0 && y0 >= 0 && z0 >= 0 && x1 <= e.nx() && y1 <= e.ny() && z1 <= e.nz();
    }

    /**
     * Grows the box by {@code margin} voxels on every side, clipped to a grid of extent {@code bounds}.
     *
     * @throws IllegalArgumentException if {@code margin} is negative
     */
    public IndexBox expand(int margin, Extent bounds) {
        if (margin < 0) {
            throw new IllegalArgumentException("margin must be >= 0, got " + margin);
        }
        return new IndexBox(Math.max(0, x0 - margin), Math.max(0, y0 - margin), Math.max(0, z0 - margin),
                (int) Math.min(bounds.nx(), (long) x1 + margin), (int) Math.min(bounds.ny(), (long) y1 + margin),
                (int) Math.min(bounds.nz(), (long) z1 + margin));
    }

    @Override
    public String toString() {
        return "[" + x0 + "," + x1 + ")×[" + y0 + "," + y1 + ")×[" + z0 + "," + z1 + ")";
    }
}
