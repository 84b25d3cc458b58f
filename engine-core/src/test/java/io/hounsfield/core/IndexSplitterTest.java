package io.hounsfield.core;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class IndexSplitterTest {

    @Test
    void splitsLikeDivisionInAscendingAndAnyOrder() {
        SplittableRandom r = new SplittableRandom(3);
        for (int round = 0; round < 20; round++) {
            Extent e = new Extent(1 + r.nextInt(40), 1 + r.nextInt(30), 1 + r.nextInt(20));
            long[] idx = r.longs(500, 0, e.voxelCount()).toArray();
            if (round % 2 == 0) {
                Arrays.sort(idx);
            }
            IndexSplitter s = new IndexSplitter(e);
            for (long i : idx) {
                s.split(i);
                assertThat(new int[] {s.x(), s.y(), s.z()}).as("%d in %s", i, e)
                        .containsExactly((int) (i % e.nx()), (int) (i / e.nx() % e.ny()), (int) (i / e.sliceSize()));
            }
        }
    }
}
