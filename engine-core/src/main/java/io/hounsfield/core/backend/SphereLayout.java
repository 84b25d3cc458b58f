package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;

/**
 * How the sphere means of local intensity (IBSI 3.2) are summed, shared by every backend so that they add
 * the same numbers in the same order: the sphere as chords along x (offsets dy, dz and a half-width), the
 * image block any sphere of the centres touches (the centres' box grown by the radius, clipped to the image),
 * and each chord's row offset in that block's row-prefix-sum array ({@code stride = w + 1} per row).
 */
record SphereLayout(int nc, int[] cy, int[] cz, int[] half, int[] rowOffset, int rx, int ry, int rz, int interior,
                    int bx0, int by0, int bz0, int w, int rowsY, int rowsZ, int stride) {

    static SphereLayout of(Geometry g, long[] centres, double radiusMm) {
        return of(g, io.hounsfield.core.IndexBox.bounding(centres, g.extent()), radiusMm);
    }

    /** The layout for centres whose bounding box is {@code c} (the same as for those centres). */
    static SphereLayout of(Geometry g, io.hounsfield.core.IndexBox c, double radiusMm) {
        Extent e = g.extent();
        Vec3 s = g.spacing();
        int ry = (int) Math.floor(radiusMm / s.y() + 1e-9), rz = (int) Math.floor(radiusMm / s.z() + 1e-9);
        int[] cy = new int[(2 * ry + 1) * (2 * rz + 1)], cz = new int[cy.length], half = new int[cy.length];
        int nc = 0, rx = 0, interior = 0;
        for (int dz = -rz; dz <= rz; dz++) {
            for (int dy = -ry; dy <= ry; dy++) {
                double rest = radiusMm * radiusMm * (1 + 1e-12) - sq(dy * s.y()) - sq(dz * s.z());
                if (rest >= 0) {
                    cy[nc] = dy;
                    cz[nc] = dz;
                    half[nc] = (int) Math.floor(Math.sqrt(rest) / s.x() + 1e-9);
                    rx = Math.max(rx, half[nc]);
                    interior += 2 * half[nc] + 1;
                    nc++;
                }
            }
        }
        int bx0 = Math.max(0, c.x0() - rx), bx1 = Math.min(e.nx() - 1, c.x1() - 1 + rx);
        int by0 = Math.max(0, c.y0() - ry), by1 = Math.min(e.ny() - 1, c.y1() - 1 + ry);
        int bz0 = Math.max(0, c.z0() - rz), bz1 = Math.min(e.nz() - 1, c.z1() - 1 + rz);
        int w = bx1 - bx0 + 1, rowsY = by1 - by0 + 1, stride = w + 1;
        int[] rowOffset = new int[nc];
        for (int k = 0; k < nc; k++) {
            rowOffset[k] = (cz[k] * rowsY + cy[k]) * stride;
        }
        return new SphereLayout(nc, java.util.Arrays.copyOf(cy, nc), java.util.Arrays.copyOf(cz, nc), java.util.Arrays.copyOf(half, nc),
                rowOffset, rx, ry, rz, interior, bx0, by0, bz0, w, rowsY, bz1 - bz0 + 1, stride);
    }

    /**
     * The layout as the kernels read it ({@code SPHERE_HEADER} ints of hounsfield.cu, then the chords):
     * {nc, nx, ny, nz, bx0, by0, bz0, rowsY, stride, rx, ry, rz, interior}, dy[nc], dz[nc], half[nc], rowOffset[nc].
     */
    int[] packed(Extent image) {
        int[] header = {nc, image.nx(), image.ny(), image.nz(), bx0, by0, bz0, rowsY, stride, rx, ry, rz, interior};
        int[] out = java.util.Arrays.copyOf(header, header.length + 4 * nc);
        System.arraycopy(cy, 0, out, header.length, nc);
        System.arraycopy(cz, 0, out, header.length + nc, nc);
        System.arraycopy(half, 0, out, header.length + 2 * nc, nc);
        System.arraycopy(rowOffset, 0, out, header.length + 3 * nc, nc);
        return out;
    }

    /** The image block the spheres touch. */
    io.hounsfield.core.IndexBox block() {
        return new io.hounsfield.core.IndexBox(bx0, by0, bz0, bx0 + w, by0 + rowsY, bz0 + rowsZ);
    }

    private static double sq(double v) {
        return v * v;
    }
}
