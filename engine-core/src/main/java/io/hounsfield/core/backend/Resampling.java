package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;

/** IBSI §2.3 grid alignment for resampling. */
public final class Resampling {

    private Resampling() {
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
}
