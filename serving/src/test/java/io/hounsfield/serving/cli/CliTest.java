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
        assertThat(r.out()).contains(io.hounsfield.kernels.KernelImage.status());
    }

    @Test
    void demoRunsEveryStageAndMatchesTheTruth() {
        Result r = run("demo", "--size", "small", "--out", dir.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("generate phantom", "write NIfTI", "read NIfTI", "identical voxels and geometry",
                "crop to lesion", "ROI statistics", "Backend: cpu");
        assertThat(r.out()).containsPattern("lesion\\s+\\d+");
        assertThat(dir.resolve("image.nii.gz")).exists();
        assertThat(dir.resolve("mask.nii.gz")).exists();
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

    /** Copies a fixture folder of test-volumes to the temp dir. */
    private Path fixture(String relative) throws Exception {
        return io.hounsfield.testvolumes.dicom.DicomFixtures.copy(relative, dir);
    }

    @Test
    void dicomLsListsSeriesAndWhatStopsThem() throws Exception {
        Result two = run("dicom", "ls", fixture("series/two-series").toString());
        assertThat(two.exit()).as(two.err()).isZero();
        assertThat(two.out()).contains("24 image file(s) in 2 stack(s)", "32×28×12", "Explicit VR Little Endian", "B30f",
                "ok: assembles into one volume");
        assertThat(two.out()).doesNotContain("Fixture^Phantom", "PHANTOM-0001"); // patient attributes never shown
        Result tilt = run("dicom", "ls", fixture("series/tilt").toString());
        assertThat(tilt.out()).contains("will not assemble as is", "gantry tilt 15.00°");
    }

    @Test
    void convertReadsADicomFolderAndRefusesBrokenOnes() throws Exception {
        Path out = dir.resolve("ct.nii.gz");
        Result ok = run("convert", fixture("series/rle").toString(), out.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        try (Volume v = new NiftiReader().read(out)) {
            assertThat(v.type()).isEqualTo(VoxelType.INT16);
            assertThat(v.extent()).isEqualTo(new Extent(32, 28, 12));
        }
        Result gap = run("convert", fixture("series/gap").toString(), dir.resolve("gap.nii.gz").toString());
        assertThat(gap.exit()).isEqualTo(1);
        assertThat(gap.err()).contains("1 slice(s) missing");
        assertThat(dir.resolve("gap.nii.gz")).doesNotExist();
        Result two = run("convert", fixture("series/two-series").toString(), dir.resolve("two.nii.gz").toString());
        assertThat(two.exit()).isEqualTo(1);
        assertThat(two.err()).contains("choose one with --series");
        Result tilt = run("convert", fixture("series/tilt").toString(), dir.resolve("tilt.nii.gz").toString(), "--correct-tilt");
        assertThat(tilt.exit()).as(tilt.err()).isZero();
    }

    @Test
    void demoStartsFromADicomFolder() throws Exception {
        Result r = run("demo", "--dicom", fixture("series/j2k-lossless").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("read DICOM", "JPEG 2000", "threshold ROI", "identical voxels and geometry", "body");
    }

    @Test
    void extractWritesIbsiFeaturesOfTheDemoLesion() throws Exception {
        assertThat(run("demo", "--size", "small", "--out", dir.toString()).exit()).isZero();
        Path csv = dir.resolve("f.csv");
        Result r = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                "--output", csv.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        java.util.List<String> lines = Files.readAllLines(csv);
        assertThat(lines.getFirst()).isEqualTo("ibsi_code,family,name,aggregation,value,unit");
        // morphology, local intensity, statistics, histogram, IVH; GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM (3D)
        assertThat(lines).hasSize(1 + 29 + 2 + 18 + 23 + 7 + 25 + 16 + 16 + 16 + 5 + 17);
        // The lesion is a 15 mm sphere of 120 HU: the mean intensity row says so within noise.
        String mean = lines.stream().filter(l -> l.startsWith("Q4LE,")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(mean.split(",")[4])).isBetween(115.0, 125.0);
        Result json = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                "--label", "2", "--format", "json", "--params", Path.of("..", "examples", "params", "ct-default.yaml").toString());
        assertThat(json.exit()).as(json.err()).isZero();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(tree.at("/provenance/settings_sha256").asText()).hasSize(64);
        assertThat(tree.at("/provenance/backend").asText()).isEqualTo("cpu");
        assertThat(tree.get("features").size()).isEqualTo(29 + 2 + 18 + 23 + 7 + 25 + 16 + 16 + 16 + 5 + 17);
        assertThat(tree.at("/features/0/unit").asText()).isEqualTo("mm³");
        assertThat(tree.at("/features/0/pyradiomics_name").asText()).isEqualTo("original_shape_MeshVolume");
        var contrast = java.util.stream.StreamSupport.stream(tree.get("features").spliterator(), false)
                .filter(f -> f.get("ibsi_code").asText().equals("ACUI")).findFirst().orElseThrow();
        assertThat(contrast.get("aggregation").asText()).isEqualTo("3D, averaged");
        assertThat(contrast.get("pyradiomics_name").asText()).isEqualTo("original_glcm_Contrast");
        Result bad = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                "--label", "9");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("label 9 is absent");
        Result cpu = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                "--backend", "cpu", "--output", dir.resolve("cpu.csv").toString());
        assertThat(cpu.exit()).as(cpu.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("cpu.csv"))).isEqualTo(lines);
        Result gpu = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                "--backend", "gpu");
        assertThat(gpu.exit()).isEqualTo(1);
        assertThat(gpu.err()).contains("--backend must be cpu, cuda or auto");
        if (!io.hounsfield.core.backend.BackendAvailability.detect().cudaUsable()) {
            Result cuda = run("extract", "--image", dir.resolve("image.nii.gz").toString(), "--mask", dir.resolve("mask.nii.gz").toString(),
                    "--backend", "cuda");
            assertThat(cuda.exit()).isEqualTo(1);
            assertThat(cuda.err()).contains("--backend cuda: CUDA unavailable:");
        }
    }

    @Test
    void analyzeSegmentsWithTheDemoModelThenExtractsEveryLabel() throws Exception {
        Path ph = dir.resolve("phantom"), out = dir.resolve("analysis");
        Result p = run("phantom", "--size", "medium", "--seed", "6001", "--random-anatomy", "--out", ph.toString());
        assertThat(p.exit()).as(p.err()).isZero();
        Result r = run("analyze", ph.resolve("image.nii.gz").toString(), "--out", out.toString(), "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Model demo-ct", "segment: windows", "2 of 2 labels found");
        assertThat(out.resolve("mask.nii.gz")).exists();
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("features-lesion.json").toFile());
        assertThat(tree.get("features").size()).isEqualTo(29 + 2 + 18 + 23 + 7 + 25 + 16 + 16 + 16 + 5 + 17);
        assertThat(out.resolve("features-liver.json")).exists();
        Files.createDirectories(dir.resolve("models"));
        Files.writeString(dir.resolve("models").resolve("m.onnx"), "not a model");
        Files.writeString(dir.resolve("models").resolve("m.yaml"), "name: m\ninput: {spacing: [1, 1, 1], patch: [8, 8, 8]}\nlabels: [bg, fg]\n");
        Result bad = run("analyze", ph.resolve("image.nii.gz").toString(), "--model", dir.resolve("models").toString(), "--out", out.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("m.onnx").contains("not a loadable ONNX model");
    }

    @Test
    void clientAnalyzeOnAServerWritesWhatAnalyzeWritesLocally() throws Exception {
        Path ph = dir.resolve("phantom"), local = dir.resolve("local"), remote = dir.resolve("remote");
        assertThat(run("phantom", "--size", "medium", "--seed", "6002", "--random-anatomy", "--out", ph.toString()).exit()).isZero();
        assertThat(run("analyze", ph.resolve("image.nii.gz").toString(), "--out", local.toString()).exit()).isZero();
        try (var models = io.hounsfield.segmentation.DemoModel.open(io.hounsfield.segmentation.ModelRegistry.Options.defaults());
             var server = io.hounsfield.serving.grpc.HounsfieldServer.startNetty("127.0.0.1", 0, io.hounsfield.serving.grpc.HounsfieldServer.Config.defaults(),
                     io.hounsfield.core.backend.CpuBackend.sequential(), models)) {
            Result r = run("client", "analyze", ph.resolve("image.nii.gz").toString(), "--server", "127.0.0.1:" + server.port(),
                    "--out", remote.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("segment (ModelInfer)", "features: lesion", "features: liver");
        }
        for (String f : new String[] {"features-lesion.csv", "features-liver.csv"}) {
            java.util.List<String> a = Files.readAllLines(local.resolve(f)), b = Files.readAllLines(remote.resolve(f));
            assertThat(b).hasSameSizeAs(a);
            for (int i = 1; i < a.size(); i++) {
                String csv = ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)"; // commas outside quotes
                String[] x = a.get(i).split(csv, -1), y = b.get(i).split(csv, -1);
                assertThat(y[3]).isEqualTo(x[3]);
                assertThat(y[0]).isEqualTo(x[0]);
                if (!x[4].isEmpty()) {
                    assertThat(Double.parseDouble(y[4])).as(a.get(i)).isEqualTo(Double.parseDouble(x[4]));
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
