package io.hounsfield.radiomics;

import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.radiomics.features.Discretisation;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The provenance's input hash: it follows the values the features depend on, not how they are stored. */
class InputHashTest {

    private static final RadiomicsSettings SETTINGS = new RadiomicsSettings(CtBody.LESION, null, Interpolation.TRILINEAR, false,
            Double.NaN, Double.NaN, false, Discretisation.binSize(25), Double.NaN, Set.of(RadiomicsSettings.INTENSITY_STATISTICS),
            List.of("3D"), "HU");

    private static String hash(Volume image, Mask mask) {
        return new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(image, mask, SETTINGS).provenance().inputHash();
    }

    @Test
    void followsTheValuesAroundTheRoiAndNotTheirStorage() {
        try (Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE);
             Volume asFloat = p.image().convertTo(VoxelType.FLOAT32);
             Volume asInt32 = p.image().convertTo(VoxelType.INT32)) {
            String h = hash(p.image(), p.mask());
            assertThat(h).matches("[0-9a-f]{64}");
            assertThat(hash(asFloat, p.mask())).isEqualTo(h);
            assertThat(hash(asInt32, p.mask())).isEqualTo(h);

            IndexBox box = p.mask().boundingBox(CtBody.LESION).orElseThrow();
            int cx = (box.x0() + box.x1()) / 2, cy = (box.y0() + box.y1()) / 2, cz = (box.z0() + box.z1()) / 2;
            // A value inside the box changes it; as a fraction, it also changes the encoding.
            double v = asFloat.get(cx, cy, cz);
            asFloat.set(cx, cy, cz, v + 1);
            String changed = hash(asFloat, p.mask());
            assertThat(changed).isNotEqualTo(h);
            asFloat.set(cx, cy, cz, v + 0.5);
            assertThat(hash(asFloat, p.mask())).isNotIn(h, changed);
            asFloat.set(cx, cy, cz, v);
            assertThat(hash(asFloat, p.mask())).isEqualTo(h);
            // A voxel far from the ROI does not.
            asInt32.set(0, 0, 0, asInt32.get(0, 0, 0) + 7);
            assertThat(hash(asInt32, p.mask())).isEqualTo(h);
            // Nor does another label's voxel; a change of the ROI's membership does.
            int outside = box.z0() > 0 ? box.z0() - 1 : box.z1();
            assertThat(p.mask().label(cx, cy, outside)).isNotEqualTo(CtBody.LESION);
            p.mask().set(cx, cy, outside, p.mask().label(cx, cy, outside) == 0 ? CtBody.LIVER : 0);
            assertThat(hash(p.image(), p.mask())).isEqualTo(h);
            int edge = box.x0();
            int before = p.mask().label(edge, cy, cz);
            p.mask().set(edge, cy, cz, before == CtBody.LESION ? 0 : CtBody.LESION);
            assertThat(hash(p.image(), p.mask())).isNotEqualTo(h);
        }
    }
}
