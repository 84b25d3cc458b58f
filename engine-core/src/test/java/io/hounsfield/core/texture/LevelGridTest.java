package io.hounsfield.core.texture;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A deferred grid answers its shape and counts without its arrays, makes them once when read, and checks them. */
class LevelGridTest {

    /** 3×2×3: slice 0 holds 2 intensity-mask voxels, slice 1 none, slice 2 holds 4. */
    private static LevelGrid grid() {
        int[] levels = {1, 0, 0, 0, 2, 0, /**/ 0, 0, 0, 0, 0, 0, /**/ 3, 3, 1, 0, 0, 2};
        boolean[] morph = new boolean[levels.length];
        for (int i = 0; i < levels.length; i++) {
            morph[i] = levels[i] > 0 || i == 7;
        }
        return new LevelGrid(3, 2, 3, levels, morph, 3);
    }

    @Test
    void countsComeWithoutTheArraysWhichAreMadeOnceWhenRead() {
        AtomicInteger made = new AtomicInteger();
        LevelGrid g = LevelGrid.deferred(3, 2, 3, 3, new long[] {2, 0, 4}, () -> {
            made.incrementAndGet();
            return grid();
        });
        assertThat(g.count(0, 3)).isEqualTo(6);
        assertThat(g.count(1, 2)).isZero();
        assertThat(g.count(2, 3)).isEqualTo(4);
        assertThat(g.hasArrays()).isFalse();
        assertThat(made).hasValue(0);
        assertThat(g.levels()).containsExactly(grid().levels());
        assertThat(g.morph()).containsExactly(grid().morph());
        assertThat(g.hasArrays()).isTrue();
        assertThat(made).hasValue(1);
        // Texture matrices of the deferred grid are the plain grid's.
        assertThat(TextureMatrices.cooccurrence(g, new int[] {1, 0, 0}, 0, 3)).containsExactly(TextureMatrices.cooccurrence(grid(), new int[] {1, 0, 0}, 0, 3));
        assertThat(made).hasValue(1);
    }

    @Test
    void arraysThatDisagreeWithTheDeferredShapeOrCountsAreRefused() {
        LevelGrid counts = LevelGrid.deferred(3, 2, 3, 3, new long[] {2, 1, 3}, LevelGridTest::grid);
        assertThatThrownBy(counts::levels).isInstanceOf(IllegalStateException.class).hasMessageContaining("slice 1 holds 0");
        LevelGrid shape = LevelGrid.deferred(3, 2, 3, 4, new long[] {2, 0, 4}, LevelGridTest::grid);
        assertThatThrownBy(shape::morph).isInstanceOf(IllegalStateException.class).hasMessageContaining("of 4 levels came as 3x2x3 of 3");
        assertThatThrownBy(() -> LevelGrid.deferred(3, 2, 3, 3, new long[] {2, 0}, LevelGridTest::grid)).isInstanceOf(IllegalArgumentException.class);
    }
}
