package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.VoxelType;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Deterministic synthetic volumes with analytic truth. Same arguments, same voxels, on any machine.
 * All phantoms are axis-aligned (identity direction) in LPS, centred near the world origin; a voxel
 * belongs to a region when its centre does.
 */
public final class Phantoms {

    /** Where a single shape's centre sits relative to the nearest voxel centre, in voxels: off-grid on purpose. */
    private static final Vec3 SUBVOXEL_OFFSET = new Vec3(0.37, 0.21, 0.13);

    private Phantoms() {
    }

    /**
     * One shape, label 1, on an isotropic float32 grid that holds it with a 3-voxel margin.
     *
     * @param inside     intensity inside the shape
     * @param outside    intensity outside
     * @param noiseSigma standard deviation of additive Gaussian noise (0 for none)
     */
    public static Phantom single(String name, Shape shape, double spacingMm, double inside, double outside,
                                 double noiseSigma, long seed) {
        int n = (int) Math.ceil(2 * shape.boundingRadius() / spacingMm) + 7;
        Vec3 sp = new Vec3(spacingMm, spacingMm, spacingMm);
        Vec3 origin = shape.centroid().minus(new Vec3(n / 2, n / 2, n / 2).plus(SUBVOXEL_OFFSET).times(spacingMm));
        Geometry g = Geometry.axisAligned(new Extent(n, n, n), sp, origin);
        Painter.Scene scene = new Painter.Scene(outside, List.of(new Painter.Layer(shape, inside)),
                List.of(new Painter.Label(1, shape)), p -> 1, noiseSigma, seed);
        return Painter.phantom(name, g, VoxelType.FLOAT32, scene, Runnable::run, ProgressListener.NONE,
                List.of(truth(1, name, shape, inside)));
    }

    /** A sphere of {@code radiusMm} (intensity 100 in 0, no noise). */
    public static Phantom sphere(double radiusMm, double spacingMm) {
        return single("sphere", new Sphere(Vec3.ZERO, radiusMm), spacingMm, 100, 0, 0, 0);
    }

    /** An ellipsoid with semi-axes a, b, c (mm), rotated by {@code rotation} (intensity 100 in 0, no noise). */
    public static Phantom ellipsoid(double a, double b, double c, Mat3 rotation, double spacingMm) {
        return single("ellipsoid", new Ellipsoid(Vec3.ZERO, a, b, c, rotation), spacingMm, 100, 0, 0, 0);
    }

    /** An axis-aligned cube of edge {@code edgeMm} (intensity 100 in 0, no noise). */
    public static Phantom cube(double edgeMm, double spacingMm) {
        return single("cube", Cuboid.cube(Vec3.ZERO, edgeMm), spacingMm, 100, 0, 0, 0);
    }

    /**
     * A CT-like abdomen/thorax in HU (int16): air −1000, a body of fat (−100) and soft tissue (40),
     * two lungs (−850), a spine (700), a liver (60) holding a spherical lesion (120), Gaussian noise.
     * Labels: {@link CtBody#LESION} and {@link CtBody#LIVER} (liver without the lesion).
     */
    public static Phantom ctBody(CtBody spec, ProgressListener progress) {
        return CtBody.build(spec, Runnable::run, progress);
    }

    /** {@link #ctBody(CtBody, ProgressListener)} with slices painted on {@code executor}; same voxels. */
    public static Phantom ctBody(CtBody spec, Executor executor, ProgressListener progress) {
        return CtBody.build(spec, executor, progress);
    }

    /**
     * An MR-like head (float32): tissue 800, a lesion 1200, background 0, multiplied by a linear bias
     * field and with additive Gaussian noise. Labels: {@link MrHead#LESION} and {@link MrHead#BRAIN}.
     */
    public static Phantom mrHead(MrHead spec, ProgressListener progress) {
        return MrHead.build(spec, Runnable::run, progress);
    }

    /** {@link #mrHead(MrHead, ProgressListener)} with slices painted on {@code executor}; same voxels. */
    public static Phantom mrHead(MrHead spec, Executor executor, ProgressListener progress) {
        return MrHead.build(spec, executor, progress);
    }

    static RoiTruth truth(int label, String name, Shape s, double mean) {
        return new RoiTruth(label, name, s.volume(), s.surfaceArea(), s.centroid(), mean);
    }

    /**
     * Truth of a shape with a hole (an organ without its lesion): volumes subtract, the boundary is both
     * surfaces, the centroid is the volume-weighted difference; {@code meanAt} gives the expected mean
     * intensity from that centroid (constant, or a linear field's value there).
     */
    static RoiTruth hollow(int label, String name, Shape outer, Shape hole, java.util.function.ToDoubleFunction<Vec3> meanAt) {
        double v = outer.volume() - hole.volume();
        Vec3 c = outer.centroid().times(outer.volume()).minus(hole.centroid().times(hole.volume())).times(1 / v);
        return new RoiTruth(label, name, v, outer.surfaceArea() + hole.surfaceArea(), c, meanAt.applyAsDouble(c));
    }

    /** An isotropic-in-FOV grid centred on the world origin. */
    static Geometry centredGrid(Extent e, Vec3 spacing) {
        Vec3 origin = new Vec3(-(e.nx() - 1) / 2.0 * spacing.x(), -(e.ny() - 1) / 2.0 * spacing.y(), -(e.nz() - 1) / 2.0 * spacing.z());
        return Geometry.axisAligned(e, spacing, origin);
    }
}
