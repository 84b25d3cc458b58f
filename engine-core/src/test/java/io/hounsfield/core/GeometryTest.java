package io.hounsfield.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeometryTest {

    private static final Extent E = new Extent(10, 20, 30);

    @Test
    void axisAlignedIndexToWorldIsOriginPlusSpacingTimesIndex() {
        Geometry g = Geometry.axisAligned(E, new Vec3(0.5, 0.75, 2.5), new Vec3(-100, 20, 7));
        assertThat(g.indexToWorld(0, 0, 0)).isEqualTo(new Vec3(-100, 20, 7));
        assertThat(g.indexToWorld(2, 4, 3)).isEqualTo(new Vec3(-99, 23, 14.5));
        assertThat(g.voxelVolume()).isEqualTo(0.5 * 0.75 * 2.5);
    }

    @Test
    void rotatedAxesFollowTheDirectionColumns() {
        // i runs along +y (posterior), j along -x (right), k along +z: a 90° turn about z.
        Mat3 d = Mat3.fromColumns(new Vec3(0, 1, 0), new Vec3(-1, 0, 0), new Vec3(0, 0, 1));
        Geometry g = new Geometry(E, new Vec3(2, 3, 4), new Vec3(1, 1, 1), d);
        assertThat(g.indexToWorld(1, 0, 0).approxEquals(new Vec3(1, 3, 1), 1e-12)).isTrue();
        assertThat(g.indexToWorld(0, 1, 0).approxEquals(new Vec3(-2, 1, 1), 1e-12)).isTrue();
        assertThat(g.indexToWorld(0, 0, 1).approxEquals(new Vec3(1, 1, 5), 1e-12)).isTrue();
        // Rodrigues' rotation gives the same matrix.
        assertThat(Mat3.rotation(new Vec3(0, 0, 1), Math.PI / 2).approxEquals(d, 1e-12)).isTrue();
    }

    @Test
    void worldToIndexInvertsIndexToWorldForObliqueGrids() {
        Mat3 d = Mat3.rotation(new Vec3(1, 2, 3), Math.toRadians(25)).times(Mat3.diagonal(1, 1, -1));
        Geometry g = new Geometry(E, new Vec3(0.8, 0.9, 2.5), new Vec3(-101.5, 33.25, 12), d);
        for (double[] ijk : new double[][] {{0, 0, 0}, {9, 19, 29}, {3.25, -1.5, 17.75}}) {
            Vec3 back = g.worldToIndex(g.indexToWorld(ijk[0], ijk[1], ijk[2]));
            assertThat(back.approxEquals(new Vec3(ijk[0], ijk[1], ijk[2]), 1e-9)).isTrue();
        }
        // The distance between neighbouring voxel centres is the spacing, whatever the rotation.
        assertThat(g.indexToWorld(5, 5, 6).minus(g.indexToWorld(5, 5, 5)).norm()).isCloseTo(2.5, within(1e-12));
        assertThat(g.indexToWorld(5, 6, 5).minus(g.indexToWorld(5, 5, 5)).norm()).isCloseTo(0.9, within(1e-12));
    }

    @Test
    void matrixFormAgreesWithIndexToWorld() {
        Mat3 d = Mat3.rotation(new Vec3(0, 1, 1), 0.3);
        Geometry g = new Geometry(E, new Vec3(1, 2, 3), new Vec3(4, 5, 6), d);
        double[] m = g.indexToWorldMatrix();
        Vec3 p = g.indexToWorld(2, 3, 4);
        for (int r = 0; r < 3; r++) {
            assertThat(m[r * 4] * 2 + m[r * 4 + 1] * 3 + m[r * 4 + 2] * 4 + m[r * 4 + 3]).isCloseTo(p.get(r), within(1e-12));
        }
    }

    @Test
    void cropKeepsWorldPositionsOfVoxels() {
        Mat3 d = Mat3.rotation(new Vec3(1, 0, 1), 0.7);
        Geometry g = new Geometry(E, new Vec3(1, 2, 3), new Vec3(4, 5, 6), d);
        IndexBox box = new IndexBox(2, 3, 4, 7, 9, 12);
        Geometry c = g.crop(box);
        assertThat(c.extent()).isEqualTo(new Extent(5, 6, 8));
        assertThat(c.indexToWorld(1, 2, 3).approxEquals(g.indexToWorld(3, 5, 7), 1e-12)).isTrue();
        assertThatThrownBy(() -> g.crop(new IndexBox(0, 0, 0, 11, 1, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsGridsThatCannotExist() {
        assertThatThrownBy(() -> Geometry.axisAligned(E, new Vec3(0, 1, 1), Vec3.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("spacing");
        assertThatThrownBy(() -> Geometry.axisAligned(E, new Vec3(1, Double.NaN, 1), Vec3.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Geometry(E, new Vec3(1, 1, 1), Vec3.ZERO, Mat3.diagonal(1, 2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("orthonormal");
        assertThatThrownBy(() -> new Extent(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void indexBoxExpandsAndClipsToTheGrid() {
        IndexBox b = new IndexBox(1, 2, 3, 4, 5, 6).expand(2, new Extent(5, 100, 7));
        assertThat(b).isEqualTo(new IndexBox(0, 0, 1, 5, 7, 7));
        assertThatThrownBy(() -> new IndexBox(1, 1, 1, 1, 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
