package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;

import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResamplingTest {

    private static final Geometry G = new Geometry(new Extent(10, 8, 6), new Vec3(1.5, 1.5, 3), new Vec3(-4, 2, 10),
            Mat3.rotation(new Vec3(0, 0, 1), 0.3));

    @Test
    void centredGridKeepsTheGridCentre() {
        // IBSI's example: 10 voxels of 1.5 mm resampled to 1 mm: ⌈15⌉ = 15 voxels, centres aligned.
        Geometry r = Resampling.centredGrid(G, new Vec3(1, 1, 1));
        assertThat(r.extent()).isEqualTo(new Extent(15, 12, 18));
        Vec3 oldCentre = G.indexToWorld(4.5, 3.5, 2.5), newCentre = r.indexToWorld(7, 5.5, 8.5);
        assertThat(newCentre.approxEquals(oldCentre, 1e-9)).isTrue();
        assertThat(r.direction()).isEqualTo(G.direction());
    }

    @Test
    void trilinearAndTricubicReproduceALinearFieldAndNearestPicksAVoxel() {
        try (Volume v = Volume.allocate(G, VoxelType.FLOAT64); var pool = Executors.newFixedThreadPool(3)) {
            for (int z = 0; z < 6; z++) {
                for (int y = 0; y < 8; y++) {
                    for (int x = 0; x < 10; x++) {
                        Vec3 p = G.indexToWorld(x, y, z);
                        v.set(x, y, z, 3 * p.x() - 2 * p.y() + 0.5 * p.z() + 7);
                    }
                }
            }
            Geometry target = Resampling.centredGrid(G, new Vec3(1.1, 0.9, 2));
            CpuBackend cpu = new CpuBackend(pool, 5);
            for (Interpolation m : new Interpolation[] {Interpolation.TRILINEAR, Interpolation.TRICUBIC}) {
                try (Volume r = cpu.resample(v, target, m)) {
                    // Inside the source grid (away from the clamped border) the linear field is reproduced.
                    for (int z = 2; z < target.extent().nz() - 2; z++) {
                        for (int y = 2; y < target.extent().ny() - 2; y++) {
                            for (int x = 2; x < target.extent().nx() - 2; x++) {
                                Vec3 q = G.worldToIndex(target.indexToWorld(x, y, z));
                                boolean inside = q.x() >= 1 && q.x() <= 8 && q.y() >= 1 && q.y() <= 6 && q.z() >= 1 && q.z() <= 4;
                                if (inside) {
                                    Vec3 p = target.indexToWorld(x, y, z);
                                    assertThat(r.get(x, y, z)).as("%s at (%d,%d,%d)", m, x, y, z)
                                            .isCloseTo(3 * p.x() - 2 * p.y() + 0.5 * p.z() + 7, within(1e-3));
                                }
                            }
                        }
                    }
                }
            }
            try (Volume same = cpu.resample(v, G, Interpolation.NEAREST)) {
                for (long i = 0; i < v.voxelCount(); i++) {
                    assertThat(same.get(i)).isCloseTo(v.get(i), within(1e-3)); // float32 of the same voxel
                }
            }
        }
    }

    /** A block of the new grid holds exactly the whole grid's values at its voxels, for every interpolation. */
    @Test
    void aBlockEqualsTheSameVoxelsOfTheWholeGrid() {
        Geometry g = new Geometry(new Extent(23, 19, 11), new Vec3(0.7, 0.9, 2.5), new Vec3(3, -4, 5), Mat3.rotation(new Vec3(1, 2, 3), 0.3));
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        CpuBackend cpu = CpuBackend.sequential();
        try (Volume v = Volume.allocate(g, VoxelType.INT16)) {
            for (long i = 0; i < v.voxelCount(); i++) {
                v.set(i, r.nextInt(-1000, 1000));
            }
            Geometry target = Resampling.centredGrid(g, new Vec3(1, 1, 1));
            io.hounsfield.core.IndexBox block = new io.hounsfield.core.IndexBox(3, 2, 5, 14, 17, 20);
            for (Interpolation mode : Interpolation.values()) {
                try (Volume whole = cpu.resample(v, target, mode); Volume part = cpu.resample(v, target, mode, block);
                     Volume cut = whole.crop(block)) {
                    assertThat(part.geometry().extent()).isEqualTo(block.extent());
                    assertThat(part.segment().mismatch(cut.segment())).as("%s", mode).isEqualTo(-1L);
                }
            }
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> cpu.resample(v, target, Interpolation.NEAREST, new io.hounsfield.core.IndexBox(0, 0, 0, 1000, 2, 2))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not inside the target grid");
        }
    }
}
