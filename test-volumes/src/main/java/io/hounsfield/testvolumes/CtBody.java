package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.VoxelType;

import java.util.List;
import java.util.concurrent.Executor;

/**
 * Settings of the CT-like body phantom: grid, noise, seed and anatomy. Anatomy is in world millimetres
 * (LPS: +x is the patient's left, +y posterior), so every resolution shows the same body; the standard
 * anatomy is fixed, {@link Anatomy#random} varies liver and lesion (for training and testing
 * segmentation on cases a model has not seen).
 *
 * @param extent       voxels
 * @param spacing      mm
 * @param noiseSigmaHu Gaussian noise, HU
 * @param seed         noise seed
 * @param anatomy      the liver and the lesion in it
 */
public record CtBody(Extent extent, Vec3 spacing, double noiseSigmaHu, long seed, Anatomy anatomy) {

    /** The standard anatomy. */
    public CtBody(Extent extent, Vec3 spacing, double noiseSigmaHu, long seed) {
        this(extent, spacing, noiseSigmaHu, seed, Anatomy.STANDARD);
    }

    /** The liver (an ellipsoid) and the lesion (a sphere inside it). */
    public record Anatomy(Ellipsoid liver, Sphere lesion) {

        public static final Anatomy STANDARD = new Anatomy(Ellipsoid.axisAligned(new Vec3(-70, 0, -40), 70, 60, 55),
                new Sphere(new Vec3(-80, 5, -45), 15));

        /**
         * A liver moved by up to ±15 mm and scaled by 0.85–1.15 per axis, holding a lesion of radius 8–20 mm
         * placed at random well inside it; deterministic per seed.
         */
        public static Anatomy random(long seed) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
            Vec3 c = new Vec3(-70 + r.nextDouble(-15, 15), r.nextDouble(-15, 15), -40 + r.nextDouble(-15, 15));
            double a = 70 * r.nextDouble(0.85, 1.15), b = 60 * r.nextDouble(0.85, 1.15), cz = 55 * r.nextDouble(0.85, 1.15);
            double radius = r.nextDouble(8, 20);
            // A centre at most 45 % of each semi-axis from the liver's: the sphere then stays inside the liver.
            Vec3 l = new Vec3(c.x() + r.nextDouble(-0.45, 0.45) * (a - radius), c.y() + r.nextDouble(-0.45, 0.45) * (b - radius),
                    c.z() + r.nextDouble(-0.45, 0.45) * (cz - radius));
            return new Anatomy(Ellipsoid.axisAligned(c, a, b, cz), new Sphere(l, radius));
        }
    }

    public static final int LESION = 1;
    public static final int LIVER = 2;

    public static final double AIR = -1000, FAT = -100, SOFT_TISSUE = 40, LUNG = -850, BONE = 700, LIVER_HU = 60, LESION_HU = 120;

    /** The standard lesion: a 15 mm-radius sphere in the right liver lobe. */
    public static final Sphere LESION_SHAPE = Anatomy.STANDARD.lesion();
    /** The standard liver: an ellipsoid on the patient's right (−x). */
    public static final Ellipsoid LIVER_SHAPE = Anatomy.STANDARD.liver();

    /** 256×256×100 voxels of 1.4×1.4×2.0 mm: a 358×358×200 mm field of view. */
    public static CtBody standard() {
        return new CtBody(new Extent(256, 256, 100), new Vec3(1.4, 1.4, 2.0), 10, 42);
    }

    /** The same field of view at half the resolution: 128×128×50 voxels of 2.8×2.8×4.0 mm (the demo model's grid). */
    public static CtBody medium() {
        return new CtBody(new Extent(128, 128, 50), new Vec3(2.8, 2.8, 4.0), 10, 42);
    }

    /** This body with another seed and anatomy. */
    public CtBody with(long seed, Anatomy anatomy) {
        return new CtBody(extent, spacing, noiseSigmaHu, seed, anatomy);
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
        Ellipsoid liver = s.anatomy().liver();
        Sphere lesion = s.anatomy().lesion();
        List<Painter.Layer> layers = List.of(
                new Painter.Layer(body, FAT), new Painter.Layer(inner, SOFT_TISSUE),
                new Painter.Layer(lungR, LUNG), new Painter.Layer(lungL, LUNG), new Painter.Layer(spine, BONE),
                new Painter.Layer(liver, LIVER_HU), new Painter.Layer(lesion, LESION_HU));
        List<Painter.Label> labels = List.of(new Painter.Label(LESION, lesion),
                new Painter.Label(LIVER, liver.minus(lesion)));
        return Painter.phantom("ct-body", g, VoxelType.INT16, new Painter.Scene(AIR, layers, labels, p -> 1, s.noiseSigmaHu(), s.seed()),
                executor, progress,
                List.of(Phantoms.truth(LESION, "lesion", lesion, LESION_HU),
                        Phantoms.hollow(LIVER, "liver", liver, lesion, c -> LIVER_HU)));
    }

    /** An infinite cylinder along z with elliptical cross-section. */
    static Region ellipticCylinder(double cx, double cy, double ax, double by) {
        return p -> {
            double dx = (p.x() - cx) / ax, dy = (p.y() - cy) / by;
            return dx * dx + dy * dy <= 1;
        };
    }
}
