package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.mesh.SurfaceCounts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device's surface counts against the CPU's, exactly (integers): configuration counts, corner sums and
 * row ends, on random masks with fresh seeds (printed) — noise (every configuration, ambiguous ones too),
 * smooth blobs, a single voxel, a one-slice ROI, a label touching the image's edges, an organ-sized
 * ellipsoid — over the label's bounding box and over the whole grid. Each device result is computed twice
 * and must not change. Runs only where a CUDA device and the kernels are present (the device harness).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class CudaSurfaceParityTest {

    static boolean available() {
        return ParityBackends.available();
    }

    private static CudaBackend cuda;
    private static final CpuBackend CPU = CpuBackend.sequential();
    private static final long SEED = System.nanoTime();

    @BeforeAll
    static void open() {
        System.out.println("CudaSurfaceParityTest seed " + SEED);
        cuda = ParityBackends.open(CPU);
        System.out.println("CudaSurfaceParityTest on " + ParityBackends.where());
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            System.out.println("CudaSurfaceParityTest metrics " + cuda.metrics().snapshot());
            cuda.close();
        }
    }

    record Case(String name, int nx, int ny, int nz, long seed) {
        @Override
        public String toString() {
            return name + " " + nx + "x" + ny + "x" + nz + " seed " + seed;
        }
    }

    static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(SEED);
        return List.of(
                new Case("noise", 23, 19, 11, r.nextLong()),
                new Case("blobs", 64, 60, 30, r.nextLong()),
                new Case("single voxel", 5, 5, 5, r.nextLong()),
                new Case("one slice", 40, 30, 1, r.nextLong()),
                new Case("touching the edges", 20, 20, 12, r.nextLong()),
                new Case("organ", 220, 200, 110, r.nextLong()));
    }

    static Mask mask(Case c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        Geometry g = Geometry.axisAligned(new Extent(c.nx(), c.ny(), c.nz()), new Vec3(0.7 + r.nextDouble(), 0.7 + r.nextDouble(), 1 + 2 * r.nextDouble()),
                new Vec3(-120, 30, 400));
        Mask m = Mask.allocate(g);
        Extent e = g.extent();
        for (int z = 0; z < c.nz(); z++) {
            for (int y = 0; y < c.ny(); y++) {
                for (int x = 0; x < c.nx(); x++) {
                    double u = (x + 0.5) / c.nx() - 0.5, v = (y + 0.5) / c.ny() - 0.5, w = (z + 0.5) / c.nz() - 0.5;
                    boolean in = switch (c.name()) {
                        case "noise" -> r.nextInt(3) == 0;
                        case "blobs" -> u * u + v * v + w * w + 0.02 * Math.sin(17 * u + 11 * v) + 0.01 * r.nextGaussian() < 0.15;
                        case "single voxel" -> x == 2 && y == 2 && z == 2;
                        case "one slice" -> u * u + v * v < 0.16 && r.nextInt(10) > 0;
                        case "touching the edges" -> r.nextInt(5) > 0;
                        default -> u * u / 0.2 + v * v / 0.18 + w * w / 0.22 < 1 + 0.05 * r.nextGaussian();
                    };
                    m.set(e.index(x, y, z), in ? 1 : r.nextInt(20) == 0 ? 2 : 0);
                }
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deviceCountsEqualTheCpusExactly(Case c) {
        try (Mask m = mask(c)) {
            IndexBox tight = m.boundingBox(1).orElseThrow();
            for (IndexBox box : List.of(tight, IndexBox.of(m.geometry().extent()))) {
                SurfaceCounts want = CPU.surfaceCounts(m, 1, box);
                SurfaceCounts got = cuda.surfaceCounts(m, 1, box);
                assertThat(got.configs()).as("configurations, box %s", box).containsExactly(want.configs());
                assertThat(got.cornerSums()).as("corner sums, box %s", box).containsExactly(want.cornerSums());
                assertThat(got.extremes()).as("row ends, box %s", box).containsExactly(want.extremes());
                assertThat(cuda.surfaceCounts(m, 1, box)).as("a second run").isEqualTo(got);
                assertThat(got.measure(m.geometry()).volume()).isEqualTo(want.measure(m.geometry()).volume());
            }
        }
    }
}
