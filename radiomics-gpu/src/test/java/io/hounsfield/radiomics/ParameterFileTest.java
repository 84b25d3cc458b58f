package io.hounsfield.radiomics;

import io.hounsfield.core.Vec3;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.radiomics.features.Discretisation;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ParameterFileTest {

    static final Path EXAMPLES = Path.of("..", "examples", "params");

    @Test
    void theExamplesParse() throws IOException {
        RadiomicsSettings ibsi = ParameterFile.read(EXAMPLES.resolve("ibsi-digital-phantom.yaml"));
        assertThat(ibsi.discretisation()).isEqualTo(Discretisation.binSize(1));
        assertThat(ibsi.resampledSpacing()).isNull();
        assertThat(ibsi.families()).isEqualTo(RadiomicsSettings.ALL_FAMILIES);
        assertThat(ibsi.aggregations()).hasSize(7);
        RadiomicsSettings ct = ParameterFile.read(EXAMPLES.resolve("ct-default.yaml"));
        assertThat(ct.resampledSpacing()).isEqualTo(new Vec3(1, 1, 1));
        assertThat(ct.interpolation()).isEqualTo(Interpolation.TRICUBIC);
        assertThat(ct.resegmentMin()).isEqualTo(-1000);
        assertThat(ct.roundIntensities()).isTrue();
        assertThat(ct.unit()).isEqualTo("HU");
        assertThat(ct.hash()).hasSize(64).isNotEqualTo(ibsi.hash());
    }

    @Test
    void aPyRadiomicsFileReadsAsPyRadiomicsMeansIt() {
        RadiomicsSettings s = ParameterFile.parse("""
                setting:
                  binCount: 32
                  label: 2
                  interpolator: sitkLinear
                  resegmentRange: [-3, 3]
                  resegmentMode: sigma
                  preCrop: true
                featureClass:
                  shape:
                  firstorder: []
                """, "p.yaml");
        assertThat(s.discretisation()).isEqualTo(Discretisation.binNumber(32));
        assertThat(s.label()).isEqualTo(2);
        assertThat(s.interpolation()).isEqualTo(Interpolation.TRILINEAR);
        assertThat(s.outlierFilter()).isTrue();
        assertThat(s.families()).containsExactlyInAnyOrder(RadiomicsSettings.MORPHOLOGY, RadiomicsSettings.INTENSITY_STATISTICS);
    }

    @Test
    void unknownOrUnsupportedKeysAreErrorsThatNameTheKey() {
        assertThatThrownBy(() -> ParameterFile.parse("setting:\n  binwidth: 25\n", "p")).hasMessageContaining("unknown setting 'binwidth'");
        assertThatThrownBy(() -> ParameterFile.parse("setting:\n  normalize: true\n", "p"))
                .hasMessageContaining("'normalize'").hasMessageContaining("does not support");
        assertThatThrownBy(() -> ParameterFile.parse("imageType:\n  LoG: {sigma: [1]}\n", "p")).hasMessageContaining("imageType 'LoG'");
        assertThat(ParameterFile.parse("featureClass:\n  glcm:\n  gldm:\n", "p").families()).containsExactlyInAnyOrder("GLCM", "NGLDM");
        assertThatThrownBy(() -> ParameterFile.parse("settings:\n  binWidth: 25\n", "p")).hasMessageContaining("unknown top-level key 'settings'");
        assertThatThrownBy(() -> ParameterFile.parse("setting:\n  binWidth: wide\n", "p")).hasMessageContaining("'binWidth' must be a number");
        assertThatThrownBy(() -> ParameterFile.parse("setting: [1, 2\n", "p")).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> ParameterFile.parse("hounsfield:\n  aggregations: ['4D']\n", "p")).hasMessageContaining("unknown aggregation '4D'");
        assertThatThrownBy(() -> ParameterFile.parse("setting:\n  resampledPixelSpacing: [1, 0, 1]\n", "p")).hasMessageContaining("> 0");
    }
}
