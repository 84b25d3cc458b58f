package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A label resampled straight from the mask against IBSI's rule done the plain way: a 0/1 indicator on the
 * whole grid, resampled trilinearly to float32, kept where ≥ 0.5.
 */
class ResampleLabelTest {

    @Test
    void equalsResamplingTheWholeGridIndicator() {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CpuBackend cpu = new CpuBackend(pool, 5);
            SplittableRandom r = new SplittableRandom(20261129);
            int nonEmpty = 0;
            for (int round = 0; round < 30; round++) {
                Extent e = new Extent(8 + r.nextInt(20), 8 + r.nextInt(20), 4 + r.nextInt(12));
                Vec3 spacing = new Vec3(0.5 + r.nextDouble(), 0.5 + r.nextDouble(), 0.7 + 2.5 * r.nextDouble());
                Geometry g = round % 2 == 0 ? Geometry.axisAligned(e, spacing, new Vec3(-40, 12, 300))
                        : new Geometry(e, spacing, new Vec3(3, -4, 5), Mat3.rotation(new Vec3(r.nextDouble(), 1, 2), r.nextDouble()));
                try (Mask m = Mask.allocate(g)) {
                    // A blob of label 2 with holes and other labels around it, and a few stray voxels of it.
                    double cx = e.nx() / 2.0, cy = e.ny() / 2.0, cz = e.nz() / 2.0, rad = 2 + r.nextDouble() * e.nx() / 4.0;
                    for (int z = 0; z < e.nz(); z++) {
                        for (int y = 0; y < e.ny(); y++) {
                            for (int x = 0; x < e.nx(); x++) {
                                double d = Math.sqrt(Math.pow(x - cx, 2) + Math.pow(y - cy, 2) + Math.pow((z - cz) * 2, 2));
                                m.set(x, y, z, d < rad && r.nextInt(8) > 0 ? 2 : r.nextInt(5) == 0 ? 1 + 2 * r.nextInt(2) : 0);
                            }
                        }
                    }
                    IndexBox roi = m.boundingBox(2).orElseThrow();
                    Vec3 to = new Vec3(0.4 + r.nextDouble() * 2, 0.4 + r.nextDouble() * 2, 0.4 + r.nextDouble() * 2);
                    Geometry target = Resampling.centredGrid(g, to);
                    Extent te = target.extent();
                    int x0 = r.nextInt(te.nx()), y0 = r.nextInt(te.ny()), z0 = r.nextInt(te.nz());
                    IndexBox block = round % 3 == 0 ? IndexBox.of(te)
                            : new IndexBox(x0, y0, z0, x0 + 1 + r.nextInt(te.nx() - x0), y0 + 1 + r.nextInt(te.ny() - y0), z0 + 1 + r.nextInt(te.nz() - z0));
                    try (Mask got = cpu.resampleLabel(m, 2, roi, target, block); Mask want = plain(cpu, m, 2, target, block)) {
                        assertThat(got.geometry()).isEqualTo(want.geometry());
                        long n = got.asVolume().voxelCount(), set = 0;
                        for (long i = 0; i < n; i++) {
                            assertThat(got.label(i)).as("round %d voxel %d", round, i).isEqualTo(want.label(i));
                            set += want.label(i) == 2 ? 1 : 0;
                        }
                        nonEmpty += set > 0 ? 1 : 0;
                    }
                }
            }
            assertThat(nonEmpty).as("rounds whose block holds some of the label").isGreaterThan(10);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The rule as written: indicator on the whole grid, resampled, thresholded. */
    private static Mask plain(CpuBackend cpu, Mask m, int label, Geometry target, IndexBox block) {
        try (Volume indicator = Volume.allocate(m.geometry(), VoxelType.UINT8)) {
            for (long i = 0; i < indicator.voxelCount(); i++) {
                indicator.set(i, m.label(i) == label ? 1 : 0);
            }
            try (Volume v = cpu.resample(indicator, target, Interpolation.TRILINEAR, block)) {
                Mask out = Mask.allocate(v.geometry());
                for (long i = 0; i < v.voxelCount(); i++) {
                    if (v.get(i) >= 0.5) {
                        out.set(i, label);
                    }
                }
                return out;
            }
        }
    }
}
