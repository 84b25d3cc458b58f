package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The chord/prefix-sum sphere means equal the definition: the mean over voxel centres within r, clipped to the image. */
class SphereMeansTest {

    @Test
    void matchesTheDirectDefinitionIncludingAtTheBorder() {
        Geometry g = Geometry.axisAligned(new Extent(23, 19, 11), new Vec3(0.8, 0.7, 2.5), Vec3.ZERO);
        SplittableRandom r = new SplittableRandom(9);
        check(g, r, r.longs(300, 0, g.extent().voxelCount()).toArray());
    }

    /** Centres in the middle of a larger image: the prefix block starts away from the image's corner. */
    @Test
    void matchesTheDirectDefinitionForCentresAwayFromTheOrigin() {
        Geometry g = Geometry.axisAligned(new Extent(41, 37, 17), new Vec3(0.8, 0.7, 2.5), Vec3.ZERO);
        SplittableRandom r = new SplittableRandom(10);
        long[] centres = new long[200];
        for (int c = 0; c < centres.length; c++) {
            centres[c] = g.extent().index(14 + r.nextInt(12), 12 + r.nextInt(14), 5 + r.nextInt(7));
        }
        check(g, r, centres);
    }

    private static void check(Geometry g, SplittableRandom r, long[] centres) {
        try (Volume v = Volume.allocate(g, VoxelType.INT16); var pool = Executors.newFixedThreadPool(3)) {
            for (long i = 0; i < v.voxelCount(); i++) {
                v.set(i, r.nextInt(-1000, 1000));
            }
            double radius = 6.2035;
            double[] fast = new CpuBackend(pool, 7).sphereMeans(v, centres, radius);
            Extent e = g.extent();
            for (int c = 0; c < centres.length; c++) {
                long i = centres[c];
                int x = (int) (i % e.nx()), y = (int) (i / e.nx() % e.ny()), z = (int) (i / e.sliceSize());
                double sum = 0;
                int n = 0;
                for (int pz = 0; pz < e.nz(); pz++) {
                    for (int py = 0; py < e.ny(); py++) {
                        for (int px = 0; px < e.nx(); px++) {
                            double d2 = Math.pow((px - x) * 0.8, 2) + Math.pow((py - y) * 0.7, 2) + Math.pow((pz - z) * 2.5, 2);
                            if (d2 <= radius * radius) {
                                sum += v.get(px, py, pz);
                                n++;
                            }
                        }
                    }
                }
                assertThat(fast[c]).as("centre %d", i).isCloseTo(sum / n, within(1e-9));
            }
        }
    }
}
