package io.hounsfield.core;

import io.hounsfield.core.ops.MaskedStatistics;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class MaskTest {

    private static final Geometry G = new Geometry(new Extent(8, 7, 6), new Vec3(0.5, 1, 2), new Vec3(-3, 4, 5),
            Mat3.rotation(new Vec3(1, 1, 0), 0.4));

    @Test
    void boundingBoxAndCountOfALabel() {
        try (Mask m = Mask.allocate(G)) {
            m.set(2, 3, 1, 7);
            m.set(5, 1, 4, 7);
            m.set(0, 0, 0, 1);
            assertThat(m.count(7)).isEqualTo(2);
            assertThat(m.boundingBox(7)).contains(new IndexBox(2, 1, 1, 6, 4, 5));
            assertThat(m.boundingBox(9)).isEmpty();
            assertThat(m.histogram()[0]).isEqualTo(8 * 7 * 6 - 3);
        }
    }

    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r);
        t.setDaemon(true);
        return t;
    });

    @Test
    void boundingBoxAgreesWithAPlainScanForEveryLabelAndRowWidth() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            // Row widths around the 8-byte step, labels up to 255 (the byte pattern's sign bit), sparse and dense.
            Extent e = new Extent(1 + r.nextInt(21), 1 + r.nextInt(5), 1 + r.nextInt(4));
            try (Mask m = Mask.allocate(Geometry.axisAligned(e, new Vec3(1, 1, 1), Vec3.ZERO))) {
                int[] labels = {0, 1, 128, 255};
                int fill = r.nextInt(4);
                for (long i = 0; i < m.asVolume().voxelCount(); i++) {
                    m.set(i, r.nextInt(10) < fill ? labels[r.nextInt(4)] : 0);
                }
                for (int label : labels) {
                    int x0 = Integer.MAX_VALUE, y0 = x0, z0 = x0, x1 = -1, y1 = -1, z1 = -1;
                    for (int z = 0; z < e.nz(); z++) {
                        for (int y = 0; y < e.ny(); y++) {
                            for (int x = 0; x < e.nx(); x++) {
                                if (m.label(x, y, z) == label) {
                                    x0 = Math.min(x0, x);
                                    y0 = Math.min(y0, y);
                                    z0 = Math.min(z0, z);
                                    x1 = Math.max(x1, x);
                                    y1 = Math.max(y1, y);
                                    z1 = Math.max(z1, z);
                                }
                            }
                        }
                    }
                    var expected = x1 < 0 ? java.util.Optional.<IndexBox>empty() : java.util.Optional.of(new IndexBox(x0, y0, z0, x1 + 1, y1 + 1, z1 + 1));
                    assertThat(m.boundingBox(label)).as("label %d in %s", label, e).isEqualTo(expected);
                    // Cut into z-slabs (some empty, some of one slice) and joined, on the CPU backend's threads.
                    var slabs = new io.hounsfield.core.backend.CpuBackend(POOL, 1 + r.nextInt(6));
                    assertThat(slabs.boundingBox(m, label)).as("label %d in %s, slabs", label, e).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void cropToLabelKeepsImageAndMaskAlignedInTheWorld() {
        try (Mask m = Mask.allocate(G); Volume img = Volume.allocate(G, VoxelType.INT16)) {
            for (long i = 0; i < img.voxelCount(); i++) {
                img.set(i, i % 1000);
            }
            m.set(4, 4, 3, 2);
            m.set(4, 5, 3, 2);
            try (Mask.Cropped c = m.cropToLabel(img, 2, 1)) {
                assertThat(c.box()).isEqualTo(new IndexBox(3, 3, 2, 6, 7, 5));
                assertThat(c.mask().count(2)).isEqualTo(2);
                assertThat(c.mask().label(1, 1, 1)).isEqualTo(2);
                assertThat(c.image().get(1, 1, 1)).isEqualTo(img.get(4, 4, 3));
                Vec3 world = G.indexToWorld(4, 5, 3);
                assertThat(c.image().geometry().indexToWorld(1, 2, 1).approxEquals(world, 1e-12)).isTrue();
            }
            assertThatThrownBy(() -> m.cropToLabel(img, 3, 0)).hasMessageContaining("label 3 is absent");
        }
    }

    @Test
    void fromLabelsAcceptsWholeNumbersOnly() {
        try (Volume v = Volume.allocate(G, VoxelType.FLOAT32)) {
            v.set(3, 2);
            try (Mask m = Mask.fromLabels(v)) {
                assertThat(m.label(3)).isEqualTo(2);
            }
            v.set(4, 1.5);
            assertThatThrownBy(() -> Mask.fromLabels(v)).hasMessageContaining("voxel 4").hasMessageContaining("1.5");
            v.set(4, 256);
            assertThatThrownBy(() -> Mask.fromLabels(v)).hasMessageContaining("256");
        }
        try (Volume v = Volume.allocate(G, VoxelType.INT16)) {
            assertThatThrownBy(() -> Mask.wrap(v)).hasMessageContaining("uint8");
        }
    }

    @Test
    void maskedStatisticsMatchHandComputedValues() {
        try (Mask m = Mask.allocate(G); Volume img = Volume.allocate(G, VoxelType.INT16)) {
            // Four voxels of -1000, 10, 20, 30 HU: mean -235, population sd sqrt(mean of squared deviations).
            int[][] at = {{0, 0, 0}, {1, 0, 0}, {7, 6, 5}, {3, 3, 3}};
            double[] hu = {-1000, 10, 20, 30};
            for (int k = 0; k < 4; k++) {
                m.set(at[k][0], at[k][1], at[k][2], 1);
                img.set(at[k][0], at[k][1], at[k][2], hu[k]);
            }
            img.set(5, 5, 5, 999); // outside the label
            MaskedStatistics s = MaskedStatistics.of(img, m, 1);
            assertThat(s.count()).isEqualTo(4);
            assertThat(s.volumeMm3()).isCloseTo(4 * 0.5 * 1 * 2, within(1e-12));
            assertThat(s.mean()).isCloseTo(-235, within(1e-12));
            double var = (765.0 * 765 + 245.0 * 245 + 255.0 * 255 + 265.0 * 265) / 4;
            assertThat(s.stdDev()).isCloseTo(Math.sqrt(var), within(1e-9));
            assertThat(s.min()).isEqualTo(-1000);
            assertThat(s.max()).isEqualTo(30);
        }
    }
}
