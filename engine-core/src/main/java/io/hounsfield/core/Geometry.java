package io.hounsfield.core;

import java.util.Objects;

/**
 * Where a voxel grid lies in the patient: extent in voxels, spacing in millimetres, the world
 * position of the centre of voxel (0, 0, 0), and the direction cosines of the index axes. World
 * coordinates are DICOM's patient system, LPS (x to the patient's left, y posterior, z superior);
 * readers of RAS formats (NIfTI) convert at the reader.
 *
 * <p>Index (i, j, k) names the centre of a voxel, as in ITK, NIfTI and DICOM:
 * {@code world = origin + direction · (spacing ∘ (i, j, k))}. The direction matrix's columns are the
 * unit vectors of the i, j and k axes in LPS; they must be orthonormal (to 1e-4, what float32 headers
 * carry). Immutable and thread-safe.
 */
public record Geometry(Extent extent, Vec3 spacing, Vec3 origin, Mat3 direction) {

    /** Tolerance on direction-cosine orthonormality; NIfTI stores them as float32. */
    public static final double DIRECTION_TOLERANCE = 1e-4;

    public Geometry {
        Objects.requireNonNull(extent, "extent");
        Objects.requireNonNull(spacing, "spacing");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(direction, "direction");
        if (!(spacing.x() > 0 && spacing.y() > 0 && spacing.z() > 0) || !spacing.isFinite()) {
            throw new IllegalArgumentException("spacing must be finite and > 0 mm on each axis, got " + spacing);
        }
        if (!origin.isFinite()) {
            throw new IllegalArgumentException("origin must be finite, got " + origin);
        }
        if (!direction.isOrthonormal(DIRECTION_TOLERANCE)) {
            throw new IllegalArgumentException("direction cosines are not orthonormal: " + direction);
        }
    }

    /** An axis-aligned grid (identity direction) with its first voxel at {@code origin}. */
    public static Geometry axisAligned(Extent extent, Vec3 spacing, Vec3 origin) {
        return new Geometry(extent, spacing, origin, Mat3.IDENTITY);
    }

    /** Volume of one voxel in mm³. */
    public double voxelVolume() {
        return spacing.x() * spacing.y() * spacing.z();
    }

    /** World (LPS, mm) position of the continuous index (i, j, k); integers are voxel centres. */
    public Vec3 indexToWorld(double i, double j, double k) {
        return origin.plus(direction.times(new Vec3(i * spacing.x(), j * spacing.y(), k * spacing.z())));
    }

    /** Continuous index of a world (LPS, mm) point; the inverse of {@link #indexToWorld}. */
    public Vec3 worldToIndex(Vec3 world) {
        Vec3 d = direction.inverse().times(world.minus(origin));
        return new Vec3(d.x() / spacing.x(), d.y() / spacing.y(), d.z() / spacing.z());
    }

    /**
     * The 3×4 index-to-world matrix, row-major: {@code world_r = Σ_c m[r*4+c]·ijk_c + m[r*4+3]}.
     */
    public double[] indexToWorldMatrix() {
        double[] m = new double[12];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                m[r * 4 + c] = direction.get(r, c) * spacing.get(c);
            }
            m[r * 4 + 3] = origin.get(r);
        }
        return m;
    }

    /** The geometry of the sub-grid {@code box}: same spacing and direction, origin at the box's first voxel. */
    public Geometry crop(IndexBox box) {
        if (!box.within(extent)) {
            throw new IllegalArgumentException("box " + box + " is not inside the grid " + extent);
        }
        return new Geometry(box.extent(), spacing, indexToWorld(box.x0(), box.y0(), box.z0()), direction);
    }

    /**
     * True if {@code other} describes the same voxel grid: equal extent, and spacing, origin and
     * direction within {@code tolMm} mm (directions within {@link #DIRECTION_TOLERANCE}).
     */
    public boolean sameGrid(Geometry other, double tolMm) {
        return extent.equals(other.extent) && spacing.approxEquals(other.spacing, tolMm)
                && origin.approxEquals(other.origin, tolMm) && direction.approxEquals(other.direction, DIRECTION_TOLERANCE);
    }
}
