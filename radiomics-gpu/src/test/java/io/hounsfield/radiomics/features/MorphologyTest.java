package io.hounsfield.radiomics.features;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.core.mesh.MarchingCubes;
import io.hounsfield.radiomics.FeatureValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The position-based morphology features on an oblique, anisotropic grid, against the same quantities
 * computed directly from each voxel's world position ({@link Geometry#indexToWorld}), and against the
 * continuous ellipsoid the voxels sample.
 */
class MorphologyTest {

    @Test
    void centreOfMassAndAxesFollowTheWorldPositionsOnAnObliqueGrid() {
        Extent e = new Extent(48, 44, 26);
        Geometry g = new Geometry(e, new Vec3(0.7, 0.9, 1.6), new Vec3(-31, 12, 250), Mat3.rotation(new Vec3(1, 2, -1), 0.6));
        Vec3 centre = g.indexToWorld(24, 21, 13);
        Mat3 axes = Mat3.rotation(new Vec3(-2, 1, 3), 1.1);
        double a = 12, b = 8, c = 5;
        try (Mask mask = Mask.allocate(g)) {
            int n = 0;
            for (int z = 0; z < e.nz(); z++) {
                for (int y = 0; y < e.ny(); y++) {
                    for (int x = 0; x < e.nx(); x++) {
                        Vec3 q = axes.transpose().times(g.indexToWorld(x, y, z).minus(centre));
                        if (q.x() * q.x() / (a * a) + q.y() * q.y() / (b * b) + q.z() * q.z() / (c * c) <= 1) {
                            mask.set(x, y, z, 1);
                            n++;
                        }
                    }
                }
            }
            long[] idx = new long[n];
            double[] intensity = new double[n];
            double[] wpos = new double[3 * n];
            for (long i = 0, k = 0; i < e.voxelCount(); i++) {
                if (mask.label(i) == 1) {
                    Vec3 w = g.indexToWorld(i % e.nx(), i / e.nx() % e.ny(), i / e.sliceSize());
                    idx[(int) k] = i;
                    intensity[(int) k] = 100 + 3 * (w.x() - centre.x()); // a gradient: the weighted centre moves
                    wpos[3 * (int) k] = w.x();
                    wpos[3 * (int) k + 1] = w.y();
                    wpos[3 * (int) k + 2] = w.z();
                    k++;
                }
            }
            RoiSample roi = new RoiSample(intensity, idx);
            IndexBox box = mask.boundingBox(1).orElseThrow();
            List<FeatureValue> f = Morphology.compute(MarchingCubes.counts(mask, 1, box).measure(g), roi, roi, g, "HU",
                    new CpuBackend(Runnable::run, 1));
            Map<String, Double> v = f.stream().collect(Collectors.toMap(FeatureValue::ibsiCode, FeatureValue::value));

            // Directly from the world positions.
            double[] mean = new double[3], wmean = new double[3];
            double wsum = 0;
            for (int i = 0; i < n; i++) {
                wsum += intensity[i];
                for (int r = 0; r < 3; r++) {
                    mean[r] += wpos[3 * i + r] / n;
                    wmean[r] += intensity[i] * wpos[3 * i + r];
                }
            }
            double[][] cov = new double[3][3];
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < 3; r++) {
                    for (int s = 0; s < 3; s++) {
                        cov[r][s] += (wpos[3 * i + r] - mean[r]) * (wpos[3 * i + s] - mean[s]) / (n - 1);
                    }
                }
            }
            double shift = 0;
            for (int r = 0; r < 3; r++) {
                shift += Math.pow(mean[r] - wmean[r] / wsum, 2);
            }
            double[] lambda = Eigen.symmetric3(cov);
            assertThat(v.get("KLMA")).isCloseTo(Math.sqrt(shift), within(1e-9 * Math.sqrt(shift)));
            assertThat(v.get("TDIC")).isCloseTo(4 * Math.sqrt(lambda[0]), within(1e-9));
            assertThat(v.get("P9VJ")).isCloseTo(4 * Math.sqrt(lambda[1]), within(1e-9));
            assertThat(v.get("7J51")).isCloseTo(4 * Math.sqrt(lambda[2]), within(1e-9));
            // A solid ellipsoid's variance along a semi-axis s is s²/5: axis lengths 4s/√5, within the sampling.
            assertThat(v.get("TDIC")).isCloseTo(4 * a / Math.sqrt(5), within(0.02 * 4 * a / Math.sqrt(5)));
            assertThat(v.get("P9VJ")).isCloseTo(4 * b / Math.sqrt(5), within(0.03 * 4 * b / Math.sqrt(5)));
            assertThat(v.get("7J51")).isCloseTo(4 * c / Math.sqrt(5), within(0.05 * 4 * c / Math.sqrt(5)));
            assertThat(v.get("L0JK")).isCloseTo(2 * a, within(0.1 * a)); // the surface's longest chord
        }
    }
}
