package io.hounsfield.serving.cli;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.nifti.NiftiReader;
import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.cuda.CudaDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpAndVersion() {
        Result help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("info", "demo", "convert");
        Result version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).containsPattern("Hounsfield \\d+\\.\\d+\\.\\d+").contains("JDK 25");
    }

    @Test
    void infoSaysWhetherCudaIsUsableAndWhy() {
        Result r = run("info");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("CPU cores", "Memory", "JDK", "Kernels", "Backend");
        if (!CudaDriver.status().available()) {
            // On a machine without a driver (this project's CI) the reason is spelled out.
            assertThat(r.out()).contains("CUDA       unavailable: " + CudaDriver.status().reason());
        }
        assertThat(r.out()).contains("kernels not built");
    }

    @Test
    void demoRunsEveryStageAndMatchesTheTruth() {
        Result r = run("demo", "--size", "small", "--out", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("generate phantom", "write NIfTI", "read NIfTI", "identical voxels and geometry",
                "crop to lesion", "ROI statistics", "Backend: cpu");
        assertThat(r.out()).containsPattern("lesion\\s+\\d+");
        assertThat(dir.resolve("ct-phantom.nii.gz")).exists();
        assertThat(dir.resolve("ct-phantom-mask.nii.gz")).exists();
    }

    @Test
    void convertChangesFormatAndType() throws Exception {
        Path in = dir.resolve("in.nii"), out = dir.resolve("out.nii.gz");
        Geometry g = Geometry.axisAligned(new Extent(4, 3, 2), new Vec3(1, 2, 3), new Vec3(-5, 6, 7));
        try (Volume v = Volume.allocate(g, VoxelType.INT16)) {
            for (long i = 0; i < v.voxelCount(); i++) {
                v.set(i, i * 100 - 1000);
            }
            new NiftiWriter().write(v, in);
            Result r = run("convert", in.toString(), out.toString(), "--type", "float32");
            assertThat(r.exit()).as(r.err()).isZero();
            try (Volume back = new NiftiReader().read(out)) {
                assertThat(back.type()).isEqualTo(VoxelType.FLOAT32);
                assertThat(back.geometry().sameGrid(g, 1e-5)).isTrue();
                for (long i = 0; i < v.voxelCount(); i++) {
                    assertThat(back.get(i)).isEqualTo(v.get(i));
                }
            }
        }
    }

    @Test
    void badInputGivesOneClearLineAndExitCode1() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.nii"), "not a volume at all".repeat(30));
        Result r = run("convert", bad.toString(), dir.resolve("x.nii").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("bad.nii").contains("not a NIfTI-1 file").doesNotContain("at io.hounsfield");
        assertThat(dir.resolve("x.nii")).doesNotExist();
        Result unknown = run("convert", bad.toString(), dir.resolve("x.png").toString());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no writer for 'x.png'");
        assertThat(run("demo", "--size", "huge").err()).contains("--size must be standard or small");
        assertThat(run("frobnicate").exit()).isEqualTo(2);
    }
}
