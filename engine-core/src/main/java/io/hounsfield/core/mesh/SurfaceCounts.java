package io.hounsfield.core.mesh;

import io.hounsfield.core.Geometry;

import java.util.Arrays;

/**
 * What IBSI's morphology features need of a label's marching-cubes surface ({@link MarchingCubes}), as
 * exact integers, so that every backend returns the same value and one formula ({@link #measure}) turns
 * them into area, volume and hull candidates. The surface itself is never built: each cube's triangles
 * depend only on its configuration, so the area is Σ over configurations of (cubes) × (area of its
 * triangles), and the volume — Σ over triangles of det(p₁, p₂, p₃) / 6 — splits per cube at B into
 * det(o₁, o₂, o₃) + B · ((o₂ − o₁) × (o₃ − o₁)) with o the vertex offsets inside the cube, so it needs only
 * each configuration's count and the sum of its cubes' positions. The convex hull's vertices are among
 * the two ends of each grid row of surface vertices (a point inside a segment of others is never a hull
 * vertex; every cut cube edge carries a vertex), and of those, among the vertices of the convex outline of
 * their plane of constant Z (a point inside a polygon of others is not one either).
 *
 * @param configs    256 cube counts by configuration (bit k set when corner (k &amp; 1, k ≫ 1 &amp; 1, k ≫ 2 &amp; 1) is
 *                   inside)
 * @param cornerSums 256 × 3: per configuration, the sums of its cubes' lower corners (x, y, z image index;
 *                   −1 for the padding below the grid)
 * @param extremes   surface vertices that end a grid row and are vertices of their Z plane's convex outline,
 *                   as (X, Y, Z) = 2 × image index (vertices sit at cube-edge midpoints), rows in order of Z
 *                   then Y, each row's lower end first
 */
public record SurfaceCounts(long[] configs, long[] cornerSums, int[] extremes) {

    public SurfaceCounts {
        if (configs.length != 256 || cornerSums.length != 3 * 256 || extremes.length % 3 != 0) {
            throw new IllegalArgumentException("surface counts need 256 configurations, 768 corner sums and (X, Y, Z) triples");
        }
    }

    /** No surface (the label is absent). */
    public static SurfaceCounts empty() {
        return new SurfaceCounts(new long[256], new long[768], new int[0]);
    }

    public int extremeCount() {
        return extremes.length / 3;
    }

    /**
     * The surface's area (mm²), volume (mm³, positive) and the world positions of the row ends on
     * {@code g}: the same doubles from the same counts, summed in configuration order.
     */
    public SurfaceMeasures measure(Geometry g) {
        double[] m = g.indexToWorldMatrix();
        double area = 0;
        long det6x8 = 0; // 48 × the volume in index units (vertex coordinates are doubled)
        for (int c = 1; c < 255; c++) {
            if (configs[c] == 0) {
                continue;
            }
            MarchingCubes.Polygons p = MarchingCubes.polygons(c, m);
            int[] t = p.triangles();
            double a = 0;
            long d = 0, nx = 0, ny = 0, nz = 0;
            for (int i = 0; i < t.length; i += 3) {
                int[] o1 = MarchingCubes.doubledMidpoint(t[i]), o2 = MarchingCubes.doubledMidpoint(t[i + 1]), o3 = MarchingCubes.doubledMidpoint(t[i + 2]);
                d += (long) o1[0] * (o2[1] * o3[2] - o2[2] * o3[1]) - (long) o1[1] * (o2[0] * o3[2] - o2[2] * o3[0])
                        + (long) o1[2] * (o2[0] * o3[1] - o2[1] * o3[0]);
                int ux = o2[0] - o1[0], uy = o2[1] - o1[1], uz = o2[2] - o1[2];
                int vx = o3[0] - o1[0], vy = o3[1] - o1[1], vz = o3[2] - o1[2];
                nx += uy * vz - uz * vy;
                ny += uz * vx - ux * vz;
                nz += ux * vy - uy * vx;
                a += worldArea(m, ux, uy, uz, vx, vy, vz);
            }
            area += configs[c] * a;
            // Cube at B = 2 × corner: det(B + o₁, B + o₂, B + o₃) = det(o) + B · n.
            det6x8 += configs[c] * d + 2 * (cornerSums[3 * c] * nx + cornerSums[3 * c + 1] * ny + cornerSums[3 * c + 2] * nz);
        }
        double linearDet = m[0] * (m[5] * m[10] - m[6] * m[9]) - m[1] * (m[4] * m[10] - m[6] * m[8]) + m[2] * (m[4] * m[9] - m[5] * m[8]);
        double volume = Math.abs(det6x8 / 48.0 * linearDet);
        int n = extremeCount();
        double[] world = new double[3 * n];
        for (int k = 0; k < n; k++) {
            double i = extremes[3 * k] / 2.0, j = extremes[3 * k + 1] / 2.0, l = extremes[3 * k + 2] / 2.0;
            for (int r = 0; r < 3; r++) {
                world[3 * k + r] = m[4 * r] * i + m[4 * r + 1] * j + m[4 * r + 2] * l + m[4 * r + 3];
            }
        }
        return new SurfaceMeasures(area, volume, world);
    }

    /** Area of the world triangle spanned by doubled index edge vectors u and v. */
    private static double worldArea(double[] m, int ux, int uy, int uz, int vx, int vy, int vz) {
        double[] a = new double[3], b = new double[3];
        for (int r = 0; r < 3; r++) {
            a[r] = (m[4 * r] * ux + m[4 * r + 1] * uy + m[4 * r + 2] * uz) / 2;
            b[r] = (m[4 * r] * vx + m[4 * r + 1] * vy + m[4 * r + 2] * vz) / 2;
        }
        double x = a[1] * b[2] - a[2] * b[1], y = a[2] * b[0] - a[0] * b[2], z = a[0] * b[1] - a[1] * b[0];
        return Math.sqrt(x * x + y * y + z * z) / 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SurfaceCounts s && Arrays.equals(configs, s.configs) && Arrays.equals(cornerSums, s.cornerSums)
                && Arrays.equals(extremes, s.extremes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(configs) + Arrays.hashCode(cornerSums)) + Arrays.hashCode(extremes);
    }

    @Override
    public String toString() {
        return "SurfaceCounts[cubes=" + Arrays.stream(configs).sum() + ", extremes=" + extremeCount() + "]";
    }
}
