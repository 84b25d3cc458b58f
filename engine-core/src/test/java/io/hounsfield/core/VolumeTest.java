package io.hounsfield.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VolumeTest {

    private static final Geometry G = Geometry.axisAligned(new Extent(4, 3, 2), new Vec3(1, 1, 2), Vec3.ZERO);

    @ParameterizedTest
    @EnumSource(VoxelType.class)
    void storesTheTypesRangeExactly(VoxelType t) {
        try (Volume v = Volume.allocate(G, t)) {
            assertThat(v.segment().byteSize()).isEqualTo(24L * t.bytes());
            assertThat(v.get(5)).isZero();
            double lo = t.isIntegral() ? t.min() : -1.5e10, hi = t.isIntegral() ? t.max() : 3.25e9;
            v.set(0, lo);
            v.set(23, hi);
            assertThat(v.get(0)).isEqualTo(t == VoxelType.FLOAT32 ? (float) lo : lo);
            assertThat(v.get(3, 2, 1)).isEqualTo(t == VoxelType.FLOAT32 ? (float) hi : hi);
        }
    }

    @Test
    void integerTypesRoundAndSaturate() {
        try (Volume u8 = Volume.allocate(G, VoxelType.UINT8); Volume i16 = Volume.allocate(G, VoxelType.INT16);
             Volume u16 = Volume.allocate(G, VoxelType.UINT16)) {
            u8.set(0, 300);
            u8.set(1, -4);
            u8.set(2, 2.5); // ties to even
            u8.set(3, 3.5);
            assertThat(new double[] {u8.get(0), u8.get(1), u8.get(2), u8.get(3)}).containsExactly(255, 0, 2, 4);
            i16.set(0, -40000);
            i16.set(1, -1024.4);
            assertThat(i16.getInt(0)).isEqualTo(-32768);
            assertThat(i16.getInt(1)).isEqualTo(-1024);
            u16.set(0, 65535);
            assertThat(u16.getInt(0)).isEqualTo(65535); // widened, not -1
        }
    }

    @Test
    void voxelOrderIsXFastestThenYThenZ() {
        try (Volume v = Volume.allocate(G, VoxelType.INT32)) {
            v.set(1, 2, 1, 42);
            assertThat(v.get(1 + 4 * (2 + 3 * 1))).isEqualTo(42);
            assertThatThrownBy(() -> v.get(4, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void largeVolumesHaveWholePagesOfTheirOwn() {
        try (Volume small = Volume.allocate(G, VoxelType.INT16);
             Volume big = Volume.allocate(Geometry.axisAligned(new Extent(101, 67, 5), new Vec3(1, 1, 1), Vec3.ZERO), VoxelType.INT16)) {
            assertThat(small.pages()).isEmpty();
            var pages = big.pages().orElseThrow();
            assertThat(pages.address() % Volume.PAGE).isZero();
            assertThat(pages.byteSize() % Volume.PAGE).isZero();
            assertThat(pages.address()).isEqualTo(big.segment().address());
            assertThat(pages.byteSize()).isBetween(big.segment().byteSize(), big.segment().byteSize() + Volume.PAGE - 1);
            assertThat(big.segment().byteSize()).isEqualTo(2L * 101 * 67 * 5);
        }
    }

    @Test
    void closeHooksRunBeforeTheMemoryIsFreedEvenWhenOneFails() {
        Volume v = Volume.allocate(G, VoxelType.INT16);
        v.set(0, 7);
        java.util.List<String> ran = new java.util.ArrayList<>();
        v.onClose(() -> ran.add("read " + v.get(0)));
        v.onClose(() -> {
            throw new IllegalStateException("hook failed");
        });
        v.onClose(() -> ran.add("third"));
        assertThatThrownBy(v::close).isInstanceOf(IllegalStateException.class).hasMessage("hook failed");
        assertThat(ran).containsExactly("read 7.0", "third");
        assertThat(v.isOpen()).isFalse();
        v.close(); // the hooks ran once
        assertThat(ran).hasSize(2);
        assertThatThrownBy(() -> v.onClose(() -> { })).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void useAfterCloseThrows() {
        Volume v = Volume.allocate(G, VoxelType.FLOAT32);
        v.close();
        v.close(); // idempotent
        assertThat(v.isOpen()).isFalse();
        assertThatThrownBy(() -> v.get(0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cropCopiesTheSubBlock() {
        Geometry g = Geometry.axisAligned(new Extent(6, 5, 4), new Vec3(1, 2, 3), new Vec3(10, 20, 30));
        try (Volume v = Volume.allocate(g, VoxelType.INT16)) {
            for (long i = 0; i < v.voxelCount(); i++) {
                v.set(i, i);
            }
            IndexBox box = new IndexBox(1, 2, 1, 4, 5, 3);
            try (Volume c = v.crop(box)) {
                assertThat(c.extent()).isEqualTo(new Extent(3, 3, 2));
                assertThat(c.geometry().origin()).isEqualTo(new Vec3(11, 24, 33));
                for (int z = 0; z < 2; z++) {
                    for (int y = 0; y < 3; y++) {
                        for (int x = 0; x < 3; x++) {
                            assertThat(c.get(x, y, z)).isEqualTo(v.get(x + 1, y + 2, z + 1));
                        }
                    }
                }
            }
        }
    }

    @Test
    void convertToKeepsValuesThatFit() {
        try (Volume v = Volume.allocate(G, VoxelType.FLOAT64)) {
            v.set(0, -1000.6);
            v.set(1, 70000);
            try (Volume i16 = v.convertTo(VoxelType.INT16); Volume f32 = v.convertTo(VoxelType.FLOAT32)) {
                assertThat(i16.get(0)).isEqualTo(-1001);
                assertThat(i16.get(1)).isEqualTo(32767);
                assertThat(f32.get(0)).isEqualTo((float) -1000.6);
            }
        }
    }
}
