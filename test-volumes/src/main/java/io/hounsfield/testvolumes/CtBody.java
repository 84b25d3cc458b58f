package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.VoxelType;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Settings of the CT-like body phantom: grid, noise and seed. Anatomy is fixed in world millimetres
 * (LPS: +x is the patient's left, +y posterior), so every resolution shows the same body.
 *
 * @param extent       voxels
 * @param spacing      mm
 * @param noiseSigmaHu Gaussian noise, HU
 * @param seed         noise seed
 */
public record CtBody(Extent extent, Vec3 spacing, double noiseSigmaHu, long seed) {

    public static final int LESION = 1;
    public static final int LIVER = 2;

    public static final double AIR = -1000, FAT = -100, SOFT_TISSUE = 40, LUNG = -850, BONE = 700, LIVER_HU = 60, LESION_HU = 120;

    /** The lesion: a 15 mm-radius sphere in the right liver lobe. */
    public static final Sphere LESION_SHAPE = new Sphere(new Vec3(-80, 5, -45), 15);
    /** The liver: an ellipsoid on the patient's right (−x). */
    public static final Ellipsoid LIVER_SHAPE = Ellipsoid.axisAligned(new Vec3(-70, 0, -40), 70, 60, 55);

    /** 256×256×100 voxels of 1.4×1.4×2.0 mm: a 358×358×200 mm field of view. */
    public static CtBody standard() {
        return new CtBody(new Extent(256, 256, 100), new Vec3(1.4, 1.4, 2.0), 10, 42);
    }

    /** The same field of view at a quarter of the resolution in-plane, for fast tests. */
    public static CtBody small() {
        return new CtBody(new Extent(64, 64, 50), new Vec3(5.6, 5.6, 4.0), 10, 42);
    }

    static Phantom build(CtBody s, Executor executor, ProgressListener progress) {
        Geometry g = Phantoms.centredGrid(s.extent(), s.spacing());
        Region body = ellipticCylinder(0, 0, 160, 110);
        Region inner = ellipticCylinder(0, 0, 150, 100);
        Region spine = ellipticCylinder(0, 70, 15, 15);
        Region lungR = Ellipsoid.axisAligned(new Vec3(-80, 0, 50), 55, 70, 70);
        Region lungL = Ellipsoid.axisAligned(new Vec3(80, 0, 50), 55, 70, 70);
        List<Painter.Layer> layers = List.of(
                new Painter.Layer(body, FAT), new Painter.Layer(inner, SOFT_TISSUE),
                new Painter.Layer(lungR, LUNG), new Painter.Layer(lungL, LUNG), new Painter.Layer(spine, BONE),
                new Painter.Layer(LIVER_SHAPE, LIVER_HU), new Painter.Layer(LESION_SHAPE, LESION_HU));
        List<Painter.Label> labels = List.of(new Painter.Label(LESION, LESION_SHAPE),
                new Painter.Label(LIVER, LIVER_SHAPE.minus(LESION_SHAPE)));
        return Painter.phantom("ct-body", g, VoxelType.INT16, new Painter.Scene(AIR, layers, labels, p -> 1, s.noiseSigmaHu(), s.seed()),
                executor, progress,
                List.of(Phantoms.truth(LESION, "lesion", LESION_SHAPE, LESION_HU),
                        Phantoms.hollow(LIVER, "liver", LIVER_SHAPE, LESION_SHAPE, c -> LIVER_HU)));
    }

    /** An infinite cylinder along z with elliptical cross-section. */
    static Region ellipticCylinder(double cx, double cy, double ax, double by) {
        return p -> {
            double dx = (p.x() - cx) / ax, dy = (p.y() - cy) / by;
            return dx * dx + dy * dy <= 1;
        };
    }
}
