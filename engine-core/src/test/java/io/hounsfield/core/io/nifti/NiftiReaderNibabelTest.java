package io.hounsfield.core.io.nifti;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.VolumeFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Files written by nibabel (see make_fixtures.py) read as nibabel reads them. */
class NiftiReaderNibabelTest {

    private final NiftiReader reader = new NiftiReader();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "dtype_uint8.nii, UINT8",
        "dtype_int8.nii, INT16",
        "dtype_int16.nii, INT16",
        "dtype_uint16.nii, UINT16",
        "dtype_int32.nii, INT32",
        "dtype_float32.nii, FLOAT32",
        "dtype_float64.nii, FLOAT64",
        "int16_big_endian.nii.gz, INT16",
        "scaled_float.nii.gz, FLOAT32",
        "scaled_ct.nii, INT32", // uint16 range - 1024 does not fit int16
        "qform_only_qfac.nii, INT16",
        "sform_preferred.nii, INT16",
        "units_metres.nii, INT16",
        "two_d.nii, INT16",
    })
    void readsWhatNibabelWrote(String file, VoxelType expectedType) throws IOException {
        NiftiFixtures.Expected want = NiftiFixtures.expected(file);
        try (Volume v = reader.read(NiftiFixtures.path(file))) {
            assertThat(v.type()).isEqualTo(expectedType);
            Extent e = v.extent();
            assertThat(e.nx()).isEqualTo(want.shape()[0]);
            assertThat(e.ny()).isEqualTo(want.shape()[1]);
            assertThat(e.nz()).isEqualTo(want.shape().length > 2 ? want.shape()[2] : 1);
            assertThat(v.voxelCount()).isEqualTo(want.values().length);
            for (int i = 0; i < want.values().length; i++) {
                assertThat(v.get(i)).as("voxel %d", i).isEqualTo(want.values()[i]);
            }
            // Geometry: our index-to-world matrix (LPS, mm) equals nibabel's affine flipped to LPS.
            double[] m = v.geometry().indexToWorldMatrix();
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 4; c++) {
                    double tol = 1e-5 * Math.max(1, Math.abs(want.lpsAffine()[r][c]));
                    assertThat(m[r * 4 + c]).as("affine[%d][%d]", r, c).isCloseTo(want.lpsAffine()[r][c], within(tol));
                }
            }
        }
    }

    @Test
    void fourDimensionalSeriesAreRejectedClearly() {
        assertThatThrownBy(() -> reader.read(NiftiFixtures.path("four_d.nii.gz")))
                .isInstanceOf(VolumeFormatException.class)
                .hasMessageContaining("four_d.nii.gz")
                .hasMessageContaining("4-D")
                .satisfies(e -> assertThat(((VolumeFormatException) e).problem()).isEqualTo(VolumeFormatException.Problem.UNSUPPORTED_FEATURE));
    }
}
