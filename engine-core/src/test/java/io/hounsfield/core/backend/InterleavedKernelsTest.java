package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;
import io.hounsfield.cuda.testing.FakeCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The kernels whose threads race — lock-free union–find (zones), hash-table inserts by compare-and-swap
 * (value tables), atomic minima and maxima (surface row ends, zone distances) — with every thread of a launch
 * running at once on the emulator and giving way at each atomic operation in an order drawn from a seed
 * (printed): the results must still equal the CPU's. Emulator only (a GPU interleaves by itself; the device
 * harness runs the parity tests there).
 */
@EnabledIf(value = "emulated", disabledReason = "interleaving is the kernel emulator's; needs kernels built by nvcc and g++")
class InterleavedKernelsTest {

    static boolean emulated() {
        return !ParityBackends.gpu() && ParityBackends.available();
    }

    /** Few levels in a small box: large zones, many unions racing. */
    private static LevelGrid grid(SplittableRandom r, int nx, int ny, int nz, int ng) {
        int n = nx * ny * nz;
        int[] levels = new int[n];
        boolean[] morph = new boolean[n];
        for (int i = 0; i < n; i++) {
            morph[i] = r.nextInt(8) != 0;
            levels[i] = morph[i] && r.nextInt(10) != 0 ? 1 + r.nextInt(ng) : 0;
        }
        return new LevelGrid(nx, ny, nz, levels, morph, ng);
    }

    @Test
    void racingKernelsStillGiveTheCpusResults() {
        long seed = System.nanoTime();
        System.out.println("InterleavedKernelsTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        CpuBackend cpu = CpuBackend.sequential();
        try (CudaBackend cuda = ParityBackends.open(cpu)) {
            for (int round = 0; round < 6; round++) {
                FakeCuda.emulatorInterleave(r.nextLong() | 1);
                LevelGrid g = grid(r, 10 + r.nextInt(8), 9 + r.nextInt(8), 3 + r.nextInt(4), 1 + r.nextInt(3));
                for (boolean threeD : new boolean[] {true, false}) {
                    int z1 = threeD ? g.nz() : 1;
                    same("GLSZM " + threeD, cuda.sizeZones(g, 0, z1, threeD), TextureMatrices.sizeZones(g, 0, z1, threeD));
                    same("GLDZM " + threeD, cuda.distanceZones(g, 0, z1, threeD), TextureMatrices.distanceZones(g, 0, z1, threeD));
                }
                Geometry geo = Geometry.axisAligned(new Extent(12, 11, 5), new Vec3(0.8, 0.9, 2), Vec3.ZERO);
                try (Volume img = Volume.allocate(geo, VoxelType.FLOAT32); Mask m = Mask.allocate(geo)) {
                    for (long i = 0; i < img.voxelCount(); i++) {
                        img.set(i, r.nextInt(40) * 0.5 - 5); // many repeats: inserts of one value race
                        m.set(i, r.nextInt(4) == 0 ? 0 : 1);
                    }
                    IndexBox box = m.boundingBox(1).orElseThrow();
                    assertThat(cuda.valueCounts(img, m, 1, box, Double.NaN, Double.NaN)).as("value table")
                            .isEqualTo(cpu.valueCounts(img, m, 1, box, Double.NaN, Double.NaN));
                    assertThat(cuda.surfaceCounts(m, 1, box)).as("surface").isEqualTo(cpu.surfaceCounts(m, 1, box));
                }
            }
            assertThat(cuda.metrics().cpuFallbacks()).isZero();
        } finally {
            FakeCuda.reset();
        }
    }

    private static void same(String what, SparseCounts gpu, SparseCounts want) {
        assertThat(gpu.i()).as(what + " levels").containsExactly(want.i());
        assertThat(gpu.j()).as(what + " columns").containsExactly(want.j());
        assertThat(gpu.n()).as(what + " counts").containsExactly(want.n());
    }
}
