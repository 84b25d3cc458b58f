package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.ops.MaskedStatistics;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The IBSI digital phantom as the IBSI manual (docs/05_Reference_data_sets.rst) describes it. */
class IbsiDigitalPhantomTest {

    // Image values as printed in the IBSI description, per z slice, rows y = 0..3, columns x = 0..4.
    private static final int[][][] IMAGE = {
        {{1, 4, 4, 1, 1}, {1, 4, 6, 1, 1}, {4, 1, 6, 4, 1}, {4, 4, 6, 4, 1}},
        {{1, 4, 4, 1, 1}, {1, 1, 6, 1, 1}, {1, 1, 3, 1, 1}, {4, 4, 6, 1, 1}},
        {{1, 4, 4, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 9, 1, 1}, {1, 1, 6, 1, 1}},
        {{1, 4, 4, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1, 6, 1, 1}},
    };
    private static final int[][] EXCLUDED = {{0, 2, 1}, {2, 2, 2}, {3, 0, 2}, {4, 0, 2}, {3, 0, 3}, {4, 0, 3}};

    @Test
    void geometryIs5x4x4VoxelsOf2mm() {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            assertThat(p.image().extent()).isEqualTo(new Extent(5, 4, 4));
            assertThat(p.image().geometry().spacing()).isEqualTo(new Vec3(2, 2, 2));
            // The file's RAS affine is diag(-2, -2, 2): in LPS the axes are the identity.
            assertThat(p.image().geometry().direction().approxEquals(Mat3.IDENTITY, 1e-12)).isTrue();
            assertThat(p.image().geometry().origin()).isEqualTo(Vec3.ZERO);
            assertThat(p.mask().geometry().sameGrid(p.image().geometry(), 1e-9)).isTrue();
        }
    }

    @Test
    void voxelsAndMaskMatchTheManual() {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            for (int z = 0; z < 4; z++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 5; x++) {
                        assertThat(p.image().get(x, y, z)).as("(%d,%d,%d)", x, y, z).isEqualTo(IMAGE[z][y][x]);
                        boolean excluded = false;
                        for (int[] e : EXCLUDED) {
                            excluded |= e[0] == x && e[1] == y && e[2] == z;
                        }
                        assertThat(p.mask().label(x, y, z)).isEqualTo(excluded ? 0 : 1);
                    }
                }
            }
            assertThat(p.mask().count(1)).isEqualTo(74);
            MaskedStatistics s = MaskedStatistics.of(p.image(), p.mask(), 1);
            assertThat(s.mean()).isCloseTo(159.0 / 74, within(1e-12)); // IBSI reference mean: 2.15
            assertThat(s.max()).isEqualTo(6);
            assertThat(s.volumeMm3()).isEqualTo(592); // IBSI YEKZ, volume by voxel counting
        }
    }

    @Test
    void referenceTableHoldsEveryDigitalPhantomValue() {
        var rows = IbsiDigitalPhantom.referenceValues();
        assertThat(rows).hasSize(482);
        assertThat(rows.stream().map(r -> r.family() + "/" + r.feature()).collect(Collectors.toSet())).hasSize(169);
        assertThat(rows).anySatisfy(r -> {
            assertThat(r.ibsiCode()).isEqualTo("YEKZ");
            assertThat(r.value()).isEqualTo(592);
        });
        assertThat(rows).anySatisfy(r -> assertThat(r.aggregation()).isEqualTo("2D, averaged"));
    }
}
