package io.hounsfield.core.io.nifti;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NiftiWriterTest {

    @TempDir
    Path dir;

    /** Left-handed (det < 0, qfac -1) and oblique: the hardest case for the qform. */
    static final Geometry OBLIQUE = new Geometry(new Extent(7, 5, 4), new Vec3(0.7, 0.9, 2.5), new Vec3(-120.5, 33.25, -12),
            Mat3.rotation(new Vec3(1, -2, 0.5), Math.toRadians(140)).times(Mat3.diagonal(1, 1, -1)));

    static Volume random(Geometry g, VoxelType t, long seed) {
        Volume v = Volume.allocate(g, t);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, t.isIntegral() ? t.min() + r.nextDouble() * (t.max() - t.min()) : r.nextGaussian() * 1000);
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(VoxelType.class)
    void roundTripsEveryTypeExactly(VoxelType t) throws IOException {
        for (String name : new String[] {"v.nii", "v.nii.gz"}) {
            Path p = dir.resolve(t.id() + name);
            try (Volume v = random(OBLIQUE, t, t.ordinal())) {
                new NiftiWriter().write(v, p);
                try (Volume back = new NiftiReader().read(p)) {
                    assertThat(back.type()).isEqualTo(t);
                    assertThat(back.geometry().sameGrid(v.geometry(), 1e-4)).as(back.geometry() + " vs " + v.geometry()).isTrue();
                    assertThat(back.segment().mismatch(v.segment())).isEqualTo(-1);
                }
            }
        }
    }

    @Test
    void qformAloneReproducesTheGeometry() throws IOException {
        // Readers that ignore the sform (old tools) must get the same grid from the qform.
        try (Volume v = random(OBLIQUE, VoxelType.INT16, 3)) {
            Path p = dir.resolve("q.nii");
            new NiftiWriter().write(v, p);
            byte[] b = Files.readAllBytes(p);
            b[254] = 0; // sform_code = 0
            b[255] = 0;
            Files.write(p, b);
            try (Volume back = new NiftiReader().read(p)) {
                assertThat(back.geometry().sameGrid(OBLIQUE, 1e-4)).isTrue();
            }
        }
    }

    @Test
    void writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("a.nii.gz");
        try (Volume v1 = random(OBLIQUE, VoxelType.UINT8, 1); Volume v2 = random(OBLIQUE, VoxelType.FLOAT32, 2)) {
            new NiftiWriter().write(v1, p);
            new NiftiWriter().write(v2, p);
            try (Volume back = new NiftiReader().read(p)) {
                assertThat(back.type()).isEqualTo(VoxelType.FLOAT32);
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactly("a.nii.gz");
            }
            assertThatThrownBy(() -> new NiftiWriter().write(v1, dir.resolve("missing/b.nii"))).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void quaternionOfKnownRotations() {
        // 180° about x: (a, b, c, d) = (0, 1, 0, 0); 90° about z: (cos45°, 0, 0, sin45°).
        assertThat(NiftiWriter.quaternion(Mat3.diagonal(1, -1, -1))).containsExactly(0, 1, 0, 0);
        double[] q = NiftiWriter.quaternion(Mat3.rotation(new Vec3(0, 0, 1), Math.PI / 2));
        assertThat(q[0]).isCloseTo(Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(q[3]).isCloseTo(Math.sqrt(0.5), org.assertj.core.data.Offset.offset(1e-12));
    }
}
