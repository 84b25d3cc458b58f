package io.hounsfield.testvolumes;

import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.ops.MaskedStatistics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Voxelised phantoms agree with the mathematics of their shapes. A voxel is in a region when its
 * centre is, so the voxel-count volume can differ from the true volume only through voxels whose
 * centre lies within half a voxel diagonal (√3·h/2) of the surface: |ΔV| ≤ √3·h·A (the shell's volume).
 */
class PhantomTest {

    private static Vec3 voxelCentroid(Mask m, int label) {
        Geometry g = m.geometry();
        double sx = 0, sy = 0, sz = 0;
        long n = 0, i = 0;
        for (int z = 0; z < g.extent().nz(); z++) {
            for (int y = 0; y < g.extent().ny(); y++) {
                for (int x = 0; x < g.extent().nx(); x++, i++) {
                    if (m.label(i) == label) {
                        Vec3 p = g.indexToWorld(x, y, z);
                        sx += p.x();
                        sy += p.y();
                        sz += p.z();
                        n++;
                    }
                }
            }
        }
        return new Vec3(sx / n, sy / n, sz / n);
    }

    private static void assertVoxelisationAgrees(Phantom p, int label, double spacing) {
        RoiTruth t = p.truth(label);
        MaskedStatistics s = MaskedStatistics.of(p.image(), p.mask(), label);
        double shellBound = Math.sqrt(3) * spacing * t.surfaceAreaMm2();
        assertThat(Math.abs(s.volumeMm3() - t.volumeMm3())).as("volume of label %d", label).isLessThanOrEqualTo(shellBound);
        assertThat(voxelCentroid(p.mask(), label).approxEquals(t.centroid(), spacing)).isTrue();
    }

    @Test
    void sphereVolumeConvergesToFourThirdsPiRCubed() {
        double previous = Double.MAX_VALUE;
        for (double h : new double[] {2, 1, 0.5}) {
            try (Phantom p = Phantoms.sphere(10, h)) {
                assertVoxelisationAgrees(p, 1, h);
                double rel = Math.abs(MaskedStatistics.of(p.image(), p.mask(), 1).volumeMm3() - p.truth(1).volumeMm3()) / p.truth(1).volumeMm3();
                assertThat(rel).isLessThan(previous + 1e-3);
                previous = rel;
                assertThat(MaskedStatistics.of(p.image(), p.mask(), 1).mean()).isEqualTo(100);
            }
        }
        assertThat(previous).as("relative volume error at r/h = 20").isLessThan(0.005);
    }

    @Test
    void rotatedEllipsoidAndCube() {
        try (Phantom p = Phantoms.ellipsoid(18, 11, 7, Mat3.rotation(new Vec3(1, 2, 0), 0.6), 0.75)) {
            assertVoxelisationAgrees(p, 1, 0.75);
            assertThat(p.truth(1).volumeMm3()).isCloseTo(4.0 / 3 * Math.PI * 18 * 11 * 7, within(1e-9));
        }
        try (Phantom p = Phantoms.cube(12, 1)) {
            assertVoxelisationAgrees(p, 1, 1);
        }
    }

    @Test
    void noisyShapeMeanIsWithinTheStandardErrorOfTheTruth() {
        try (Phantom p = Phantoms.single("noisy", new Sphere(new Vec3(3, -2, 1), 8), 1, 250, -50, 30, 11)) {
            MaskedStatistics s = MaskedStatistics.of(p.image(), p.mask(), 1);
            assertThat(s.mean()).isCloseTo(250, within(5 * 30 / Math.sqrt(s.count())));
            assertThat(s.stdDev()).isCloseTo(30, within(3.0));
        }
    }

    @Test
    void ctBodyLesionAndLiverMatchTheirShapes() {
        CtBody spec = CtBody.small();
        try (Phantom p = Phantoms.ctBody(spec, ProgressListener.NONE)) {
            double h = Math.max(spec.spacing().x(), spec.spacing().z());
            for (int label : new int[] {CtBody.LESION, CtBody.LIVER}) {
                assertVoxelisationAgrees(p, label, h);
                MaskedStatistics s = MaskedStatistics.of(p.image(), p.mask(), label);
                // int16 rounding (ties to even) adds no bias; the noise adds at most 5 standard errors.
                double se = Math.sqrt(spec.noiseSigmaHu() * spec.noiseSigmaHu() + 1.0 / 12) / Math.sqrt(s.count());
                assertThat(s.mean()).as("mean HU of label %d", label).isCloseTo(p.truth(label).meanIntensity(), within(5 * se));
            }
            // Air in a corner, bone in the spine.
            assertThat(p.image().get(0, 0, 0)).isCloseTo(CtBody.AIR, within(6 * spec.noiseSigmaHu()));
            Vec3 spine = p.image().geometry().worldToIndex(new Vec3(0, 70, 0));
            assertThat(p.image().get((int) Math.rint(spine.x()), (int) Math.rint(spine.y()), (int) Math.rint(spine.z())))
                    .isCloseTo(CtBody.BONE, within(6 * spec.noiseSigmaHu()));
        }
    }

    @Test
    void sameSeedSameVoxelsOtherSeedOtherNoise() {
        CtBody s = CtBody.small();
        try (Phantom a = Phantoms.ctBody(s, ProgressListener.NONE); Phantom b = Phantoms.ctBody(s, ProgressListener.NONE);
             Phantom c = Phantoms.ctBody(new CtBody(s.extent(), s.spacing(), s.noiseSigmaHu(), s.seed() + 1), ProgressListener.NONE)) {
            assertThat(a.image().segment().mismatch(b.image().segment())).isEqualTo(-1);
            assertThat(a.mask().asVolume().segment().mismatch(c.mask().asVolume().segment())).isEqualTo(-1);
            assertThat(a.image().segment().mismatch(c.image().segment())).isNotEqualTo(-1);
        }
    }

    @Test
    void threadCountDoesNotChangeTheVoxels() throws Exception {
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try (Phantom one = Phantoms.mrHead(MrHead.small(), ProgressListener.NONE);
             Phantom four = Phantoms.mrHead(MrHead.small(), pool, ProgressListener.NONE)) {
            assertThat(four.image().segment().mismatch(one.image().segment())).isEqualTo(-1);
            assertThat(four.mask().asVolume().segment().mismatch(one.mask().asVolume().segment())).isEqualTo(-1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mrLesionMeanIsTheBiasAtItsCentreTimesItsIntensity() {
        MrHead spec = MrHead.small();
        try (Phantom p = Phantoms.mrHead(spec, ProgressListener.NONE)) {
            MaskedStatistics lesion = MaskedStatistics.of(p.image(), p.mask(), MrHead.LESION);
            RoiTruth t = p.truth(MrHead.LESION);
            assertThat(t.meanIntensity()).isNotEqualTo(MrHead.LESION_INTENSITY); // the bias field is not trivial here
            assertThat(lesion.mean()).isCloseTo(t.meanIntensity(), within(5 * spec.noiseSigma() / Math.sqrt(lesion.count())));
            assertVoxelisationAgrees(p, MrHead.LESION, spec.spacing().x());
            // The brain's voxel centroid differs from the continuous one by less than a voxel, and so
            // its mean differs from the truth by at most |gradient|·h·intensity, plus noise.
            MaskedStatistics brain = MaskedStatistics.of(p.image(), p.mask(), MrHead.BRAIN);
            double tol = spec.gradientPerMm().norm() * spec.spacing().x() * MrHead.TISSUE_INTENSITY
                    + 5 * spec.noiseSigma() / Math.sqrt(brain.count());
            assertThat(brain.mean()).isCloseTo(p.truth(MrHead.BRAIN).meanIntensity(), within(tol));
            // The field really varies: tissue at two ends of the head differs by the gradient's prediction.
            assertThat(spec.bias(new Vec3(60, 0, 0)) - spec.bias(new Vec3(-60, 0, 0))).isCloseTo(120 * 0.0008, within(1e-12));
        }
    }
}
