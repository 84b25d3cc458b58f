package io.hounsfield.radiomics;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.core.backend.Resampling;
import io.hounsfield.radiomics.features.Discretisation;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Resampling only the ROI's block of the new grid gives the features of resampling the whole grid: every
 * value from intensities and grey levels bit for bit (so the same voxels, with the same values), the
 * position-dependent morphology within 1e-9 (the enclosing ellipsoid within its convergence, 1e-7).
 */
class ResampledBlockTest {

    private static final CpuBackend CPU = CpuBackend.sequential();

    private static void assertSameFeatures(Volume image, Mask mask, RadiomicsSettings s) {
        FeatureExtractor block = new FeatureExtractor(CPU, Runnable::run);
        FeatureSet a = block.resamplingWholeGrid().extract(image, mask, s), b = block.extract(image, mask, s);
        assertThat(b.features()).hasSameSizeAs(a.features());
        for (int i = 0; i < a.features().size(); i++) {
            FeatureValue want = a.features().get(i), got = b.features().get(i);
            assertThat(got.name()).isEqualTo(want.name());
            if (want.family().equals("morphology")) {
                // World positions differ in their last bits (the block's origin is rounded once more); the
                // enclosing ellipsoid is converged to 1e-7, which bounds how far such a change can move it.
                double rel = want.name().contains("minimum volume enclosing ellipsoid") ? 1e-7 : 1e-9;
                double tol = rel * Math.max(1, Math.abs(want.value()));
                assertThat(Math.abs(got.value() - want.value())).as("%s: %s vs %s", want.name(), got.value(), want.value()).isLessThanOrEqualTo(tol);
            } else {
                assertThat(Double.compare(got.value(), want.value())).as("%s %s: %s vs %s", want.family(), want.name(), got.value(), want.value())
                        .isZero();
            }
        }
    }

    private static RadiomicsSettings settings(int label, Vec3 spacing, Interpolation mode, boolean round) {
        return new RadiomicsSettings(label, spacing, mode, round, Double.NaN, Double.NaN, false, Discretisation.binSize(25), Double.NaN,
                RadiomicsSettings.ALL_FAMILIES, List.of("3D", "2D, averaged"), "HU");
    }

    @Test
    void theLesionOfTheCtPhantomResampledThreeWays() {
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            assertSameFeatures(p.image(), p.mask(), settings(CtBody.LESION, new Vec3(1, 1, 1), Interpolation.TRILINEAR, true));
            assertSameFeatures(p.image(), p.mask(), settings(CtBody.LESION, new Vec3(2, 2, 2), Interpolation.NEAREST, false));
            assertSameFeatures(p.image(), p.mask(), settings(CtBody.LESION, new Vec3(0.7, 0.9, 1.7), Interpolation.TRILINEAR, false));
        }
    }

    /** A rotated grid, and an ROI that touches the image's edges (the new grid overhangs the old one there). */
    @Test
    void anObliqueGridAndAnRoiOnTheImagesEdge() {
        Geometry g = new Geometry(new Extent(40, 36, 18), new Vec3(0.8, 0.75, 2.5), new Vec3(-20, 30, 5), Mat3.rotation(new Vec3(0.3, 0.2, 1), 0.4));
        SplittableRandom r = new SplittableRandom(11);
        try (Volume img = Volume.allocate(g, VoxelType.INT16); Mask m = Mask.allocate(g)) {
            for (int z = 0; z < 18; z++) {
                for (int y = 0; y < 36; y++) {
                    for (int x = 0; x < 40; x++) {
                        long i = g.extent().index(x, y, z);
                        img.set(i, (int) (40 + 30 * Math.sin(x / 3.0) * Math.cos(y / 4.0) + 20 * r.nextGaussian()));
                        double u = (x - 5) / 9.0, v = (y - 18) / 10.0, w = (z - 4) / 5.0;
                        m.set(i, u * u + v * v + w * w < 1 ? 1 : (x > 25 && y > 20 && z > 9 ? 2 : 0));
                    }
                }
            }
            assertSameFeatures(img, m, settings(1, new Vec3(1, 1, 1), Interpolation.TRILINEAR, true));
            assertSameFeatures(img, m, settings(2, new Vec3(1.5, 1.5, 1.5), Interpolation.NEAREST, false));
            // The block is smaller than the grid (the point of it), and inside it.
            Geometry target = Resampling.centredGrid(g, new Vec3(1, 1, 1));
            IndexBox block = FeatureExtractor.resampledBlock(g, m.boundingBox(1).orElseThrow(), target);
            assertThat(block.within(target.extent())).isTrue();
            assertThat(block.extent().voxelCount()).isLessThan(target.extent().voxelCount());
        }
    }
}
