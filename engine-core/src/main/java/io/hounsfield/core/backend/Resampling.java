package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;

/** IBSI §2.3 grid alignment for resampling. */
public final class Resampling {

    private Resampling() {
    }

    /**
     * {@code result} (a resampling's new volume, or a new label map's volume) kept by {@code backend} under
     * {@code key}, as {@link ComputeBackend#resampleKept} returns it; closed if keeping fails.
     */
    static Volume keptOrClosed(ComputeBackend backend, Volume result, String key) {
        try {
            backend.keep(result, key);
            return result;
        } catch (RuntimeException | Error e) {
            result.close();
            throw e;
        }
    }

    /**
     * The grid IBSI's "align grid centers" method gives: new extent ⌈n·s/s'⌉ per axis, the same direction,
     * and the centre of the new grid on the centre of the old one.
     */
    public static Geometry centredGrid(Geometry g, Vec3 spacing) {
        Extent e = g.extent();
        int nx = (int) Math.ceil(e.nx() * g.spacing().x() / spacing.x() - 1e-9);
        int ny = (int) Math.ceil(e.ny() * g.spacing().y() / spacing.y() - 1e-9);
        int nz = (int) Math.ceil(e.nz() * g.spacing().z() / spacing.z() - 1e-9);
        // Index (in the old grid) of the new grid's first voxel: centre minus half the new extent.
        double ox = (e.nx() - 1) / 2.0 - (nx - 1) / 2.0 * spacing.x() / g.spacing().x();
        double oy = (e.ny() - 1) / 2.0 - (ny - 1) / 2.0 * spacing.y() / g.spacing().y();
        double oz = (e.nz() - 1) / 2.0 - (nz - 1) / 2.0 * spacing.z() / g.spacing().z();
        return new Geometry(new Extent(nx, ny, nz), spacing, g.indexToWorld(ox, oy, oz), g.direction());
    }

    /**
     * The grid of block {@code block} of {@code target} ({@code target} itself for the whole grid).
     *
     * @throws IllegalArgumentException if the block is not inside the target grid
     */
    public static Geometry blockGrid(Geometry target, io.hounsfield.core.IndexBox block) {
        if (!block.within(target.extent())) {
            throw new IllegalArgumentException("block " + block + " is not inside the target grid " + target.extent());
        }
        return block.equals(io.hounsfield.core.IndexBox.of(target.extent())) ? target : target.crop(block);
    }

    /**
     * The affine map from {@code target} voxel indices to continuous {@code source} indices, 3×4 row-major:
     * {@code q_r = m[4r]·x + m[4r+1]·y + m[4r+2]·z + m[4r+3]}, evaluated in that order. Every backend
     * resamples through this one matrix, so nearest-neighbour choices (often exact ties on IBSI's centred
     * grids) agree bit for bit.
     */
    public static double[] indexMap(Geometry source, Geometry target) {
        io.hounsfield.core.Mat3 toSource = source.direction().inverse();
        double[] m = new double[12];
        Vec3 shift = toSource.times(target.origin().minus(source.origin()));
        for (int r = 0; r < 3; r++) {
            double inv = 1 / source.spacing().get(r);
            for (int c = 0; c < 3; c++) {
                double dc = 0;
                for (int k = 0; k < 3; k++) {
                    dc += toSource.get(r, k) * target.direction().get(k, c);
                }
                m[4 * r + c] = dc * target.spacing().get(c) * inv;
            }
            m[4 * r + 3] = shift.get(r) * inv;
        }
        return m;
    }
}
