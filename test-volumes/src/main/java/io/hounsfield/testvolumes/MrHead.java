package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.VoxelType;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Settings of the MR-like head phantom. The bias field is linear,
 * {@code b(p) = 1 + gradient · (p − fieldCentre)}, so its mean over any region equals its value at the
 * region's centroid; the lesion sits on a voxel centre, so its voxelised sphere is point-symmetric
 * and the expected lesion mean is exactly {@code LESION_INTENSITY · b(lesion centre)}.
 *
 * @param gradientPerMm bias gradient (1/mm); keep |gradient|·FOV small so b stays positive
 */
public record MrHead(Extent extent, Vec3 spacing, Vec3 gradientPerMm, double noiseSigma, long seed) {

    public static final int LESION = 1;
    public static final int BRAIN = 2;
    public static final double TISSUE_INTENSITY = 800, LESION_INTENSITY = 1200, SCALP_INTENSITY = 300;
    public static final double LESION_RADIUS = 12;
    static final Ellipsoid BRAIN_SHAPE = Ellipsoid.axisAligned(new Vec3(0, 5, 0), 65, 80, 55);
    static final Ellipsoid HEAD_SHAPE = Ellipsoid.axisAligned(new Vec3(0, 5, 0), 75, 92, 66);

    /** 128×160×96 voxels of 1.5 mm, bias ±15 % across the head, noise σ 20. */
    public static MrHead standard() {
        return new MrHead(new Extent(128, 160, 96), new Vec3(1.5, 1.5, 1.5), new Vec3(0.0008, 0.0006, -0.0010), 20, 7);
    }

    /** The same head at 3 mm. */
    public static MrHead small() {
        return new MrHead(new Extent(64, 80, 48), new Vec3(3, 3, 3), new Vec3(0.0008, 0.0006, -0.0010), 20, 7);
    }

    /** The multiplicative bias at world point {@code p}. */
    public double bias(Vec3 p) {
        return 1 + gradientPerMm.dot(p);
    }

    /** The lesion sphere: centred on the voxel centre nearest (25, −20, 10) mm. */
    public Sphere lesion() {
        Geometry g = Phantoms.centredGrid(extent, spacing);
        Vec3 idx = g.worldToIndex(new Vec3(25, -20, 10));
        return new Sphere(g.indexToWorld(Math.rint(idx.x()), Math.rint(idx.y()), Math.rint(idx.z())), LESION_RADIUS);
    }

    static Phantom build(MrHead s, Executor executor, ProgressListener progress) {
        Geometry g = Phantoms.centredGrid(s.extent(), s.spacing());
        Sphere lesion = s.lesion();
        Painter.Scene scene = new Painter.Scene(0,
                List.of(new Painter.Layer(HEAD_SHAPE, SCALP_INTENSITY), new Painter.Layer(BRAIN_SHAPE, TISSUE_INTENSITY),
                        new Painter.Layer(lesion, LESION_INTENSITY)),
                List.of(new Painter.Label(LESION, lesion), new Painter.Label(BRAIN, BRAIN_SHAPE.minus(lesion))),
                s::bias, s.noiseSigma(), s.seed());
        return Painter.phantom("mr-head", g, VoxelType.FLOAT32, scene, executor, progress,
                List.of(Phantoms.truth(LESION, "lesion", lesion, LESION_INTENSITY * s.bias(lesion.centroid())),
                        Phantoms.hollow(BRAIN, "brain", BRAIN_SHAPE, lesion, c -> TISSUE_INTENSITY * s.bias(c))));
    }
}
