package io.hounsfield.core.io.nifti;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Files Hounsfield writes, read by nibabel (an independent implementation): same voxels, same
 * geometry. Needs Python 3 with nibabel (Debian: python3-nibabel, which .ci/run installs); skipped
 * without it on a developer machine, but never in CI (CI=true), where a skip would hide a gap.
 */
class NiftiWriterNibabelTest {

    private static final String READ_BACK = """
            import json, sys
            import nibabel as nib, numpy as np
            out = []
            for name in sys.argv[1:]:
                img = nib.load(name)
                h = img.header
                out.append({"shape": list(img.shape), "dtype": str(h.get_data_dtype()),
                            "qform_code": int(h["qform_code"]), "sform_code": int(h["sform_code"]),
                            "sform": h.get_sform().tolist(), "qform": h.get_qform().tolist(),
                            "values": [float(v) for v in img.get_fdata(dtype=np.float64).flatten(order="F")]})
            print(json.dumps(out))
            """;

    private static String python;

    @TempDir
    Path dir;

    @BeforeAll
    static void findNibabel() {
        for (String candidate : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import nibabel").redirectErrorStream(true).start();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    python = candidate;
                    return;
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI must run the nibabel cross-check: install python3-nibabel (.ci/run does)");
        }
    }

    @Test
    void nibabelReadsOurFilesAsWeWroteThem() throws Exception {
        assumeTrue(python != null, "python3 with nibabel not found (apt-get install python3-nibabel)");
        List<Path> files = new ArrayList<>();
        List<Volume> volumes = new ArrayList<>();
        try {
            for (VoxelType t : VoxelType.values()) {
                Volume v = NiftiWriterTest.random(NiftiWriterTest.OBLIQUE, t, 100 + t.ordinal());
                volumes.add(v);
                Path p = dir.resolve(t.id() + (t.ordinal() % 2 == 0 ? ".nii.gz" : ".nii"));
                new NiftiWriter().write(v, p);
                files.add(p);
            }
            List<String> cmd = new ArrayList<>(List.of(python, "-c", READ_BACK));
            files.forEach(f -> cmd.add(f.toString()));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String json = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("nibabel failed on our files").isZero();
            JsonNode all = new ObjectMapper().readTree(json);
            for (int k = 0; k < volumes.size(); k++) {
                Volume v = volumes.get(k);
                JsonNode n = all.get(k);
                assertThat(n.get("shape").toString()).isEqualTo("[7,5,4]");
                assertThat(n.get("qform_code").asInt()).isEqualTo(1);
                assertThat(n.get("sform_code").asInt()).isEqualTo(1);
                double[] m = v.geometry().indexToWorldMatrix();
                for (String form : List.of("sform", "qform")) {
                    for (int r = 0; r < 3; r++) {
                        double flip = r < 2 ? -1 : 1; // nibabel's affine is RAS
                        for (int c = 0; c < 4; c++) {
                            assertThat(flip * n.get(form).get(r).get(c).asDouble()).as("%s %s[%d][%d]", v.type(), form, r, c)
                                    .isCloseTo(m[r * 4 + c], within(1e-4 * Math.max(1, Math.abs(m[r * 4 + c]))));
                        }
                    }
                }
                JsonNode values = n.get("values");
                assertThat(values.size()).isEqualTo((int) v.voxelCount());
                for (int i = 0; i < values.size(); i++) {
                    assertThat(values.get(i).asDouble()).as("%s voxel %d", v.type(), i).isEqualTo(v.get(i));
                }
            }
            Files.list(dir).forEach(f -> assertThat(f.getFileName().toString()).doesNotEndWith(".part"));
        } finally {
            volumes.forEach(Volume::close);
        }
    }
}
