package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hounsfield.core.Mask;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.v1.AnalyzeEvent;
import io.hounsfield.serving.api.v1.AnalyzeHeader;
import io.hounsfield.serving.api.v1.AnalyzeRequest;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.InputChunk;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import io.hounsfield.testvolumes.dicom.DicomFixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming Analyze RPC: NIfTI and RAW inputs, both tasks, and the failures that must leave nothing behind. */
class AnalyzeTest {

    private ModelRegistry models;
    private HounsfieldServer server;
    private ManagedChannel channel;
    private HounsfieldGrpc.HounsfieldStub async;

    @BeforeEach
    void start() throws Exception {
        models = DemoModel.open(new ModelRegistry.Options(1, false));
        String name = InProcessServerBuilder.generateName();
        server = HounsfieldServer.start(InProcessServerBuilder.forName(name), new HounsfieldServer.Config(64 << 10, 2, 4, 256L << 20),
                CpuBackend.sequential(), models);
        channel = InProcessChannelBuilder.forName(name).build();
        async = HounsfieldGrpc.newStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
        models.close();
    }

    /** Sends the requests under flow control, half-closes, collects the events (or the failure). */
    private List<AnalyzeEvent> call(List<AnalyzeRequest> requests) throws Exception {
        try {
            return ServingFailuresTest.analyze(async, requests.iterator()).get(2, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static List<AnalyzeRequest> chunks(int input, String file, byte[] data, int size) {
        List<AnalyzeRequest> out = new ArrayList<>();
        for (int at = 0; at < data.length; at += size) {
            out.add(AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setInput(input).setFile(file)
                    .setData(ByteString.copyFrom(data, at, Math.min(size, data.length - at)))).build());
        }
        return out;
    }

    @Test
    void segmentAndFeaturesFromANiftiFile(@TempDir Path dir) throws Exception {
        try (Phantom p = Phantoms.ctBody(CtBody.medium().with(7001, CtBody.Anatomy.random(7001)), ProgressListener.NONE)) {
            Path f = dir.resolve("ct.nii.gz");
            new NiftiWriter().write(p.image(), f, ProgressListener.NONE);
            List<AnalyzeRequest> req = new ArrayList<>();
            req.add(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES)
                    .setInput(AnalyzeHeader.InputKind.NIFTI).setReturnMask(true)).build());
            req.addAll(chunks(0, "ct.nii.gz", Files.readAllBytes(f), 50_000));
            List<AnalyzeEvent> events = call(req);
            assertThat(events.getFirst().hasAccepted()).isTrue();
            assertThat(events.stream().filter(AnalyzeEvent::hasProgress).map(e -> e.getProgress().getStage()))
                    .contains("read input", "segment: windows", "features: lesion", "features: liver");
            var result = events.getLast().getResult();
            assertThat(result.getLabelsList()).extracting(l -> l.getName()).containsExactly("lesion", "liver");
            assertThat(result.getLabels(0).getFeatures().getFeaturesCount()).isEqualTo(29 + 2 + 18 + 23 + 7 + 25 + 16 + 16 + 16 + 5 + 17);
            byte[] mask = new java.util.zip.GZIPInputStream(result.getMaskGzip().newInput()).readAllBytes();
            assertThat(mask).hasSize(128 * 128 * 50);
        }
        assertThat(server.reservedBytes()).isZero();
    }

    @Test
    void featuresOfRawVoxelsEqualALocalExtraction() throws Exception {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            var img = p.image();
            List<AnalyzeRequest> req = new ArrayList<>();
            req.add(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                    .setInput(AnalyzeHeader.InputKind.RAW).setGeometry(ClientSupport.header(img, "x").getGeometry())
                    .setType(ProtoTypes.voxelType(img.type())).addLabels(1)).build());
            req.addAll(chunks(0, "", img.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 13));
            req.addAll(chunks(1, "", p.mask().asVolume().segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), 11));
            var result = call(req).getLast().getResult();
            List<FeatureValue> local = new FeatureExtractor(CpuBackend.sequential()).extract(img, p.mask(), RadiomicsSettings.defaults().withLabel(1))
                    .features();
            assertBitIdentical(result.getLabels(0).getFeatures(), local);
        }
        assertThat(server.reservedBytes()).isZero();
    }

    /** Whole DICOM files (by their own names) as the image, a NIfTI label map as the mask: the local features. */
    @Test
    void featuresOfADicomSeriesWithANiftiMaskEqualALocalExtraction(@TempDir Path dir) throws Exception {
        Path series = DicomFixtures.copy("series/native", dir);
        Path maskFile = dir.resolve("roi.nii.gz");
        List<FeatureValue> local;
        try (Volume image = VolumeFormats.sourceFor(series).read(series, ProgressListener.NONE); Mask mask = Mask.allocate(image.geometry())) {
            for (long i = 0; i < image.voxelCount(); i++) {
                if (image.get(i) > 90) {
                    mask.set(i, 1); // the bright blob of the fixture
                }
            }
            new NiftiWriter().write(mask.asVolume(), maskFile, ProgressListener.NONE);
            try (Volume readBack = VolumeFormats.sourceFor(maskFile).read(maskFile, ProgressListener.NONE); Mask m = Mask.fromLabels(readBack)) {
                local = new FeatureExtractor(CpuBackend.sequential()).extract(image, m, RadiomicsSettings.defaults().withLabel(1)).features();
            }
        }
        List<AnalyzeRequest> req = new ArrayList<>();
        req.add(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                .setInput(AnalyzeHeader.InputKind.DICOM_FILES).setBackend("cpu")).build());
        try (var files = Files.list(series)) {
            for (Path f : files.sorted().toList()) {
                req.addAll(chunks(0, f.getFileName().toString(), Files.readAllBytes(f), 700));
            }
        }
        req.addAll(chunks(1, "roi.nii.gz", Files.readAllBytes(maskFile), 300));
        var result = call(req).getLast().getResult();
        assertThat(result.getLabelsList()).singleElement().satisfies(l -> assertThat(l.getLabel()).isEqualTo(1));
        assertBitIdentical(result.getLabels(0).getFeatures(), local);
        assertThat(server.reservedBytes()).isZero();
    }

    private static void assertBitIdentical(io.hounsfield.serving.api.v1.FeatureResult got, List<FeatureValue> local) {
        assertThat(got.getFeaturesCount()).isEqualTo(local.size());
        for (int i = 0; i < local.size(); i++) {
            assertThat(Double.compare(got.getFeatures(i).getValue(), local.get(i).value())).as(local.get(i).name()).isZero();
        }
    }

    /** A broken file is named as the client named it; the server's temporary folder never shows. */
    @Test
    void errorsNameTheClientsFiles(@TempDir Path dir) throws Exception {
        Path series = DicomFixtures.copy("series/native", dir);
        List<Path> files;
        try (var s = Files.list(series)) {
            files = s.sorted().toList();
        }
        List<AnalyzeRequest> req = new ArrayList<>();
        req.add(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES)
                .setInput(AnalyzeHeader.InputKind.DICOM_FILES)).build());
        for (int i = 0; i < files.size(); i++) {
            byte[] b = Files.readAllBytes(files.get(i));
            // The fourth file loses the end of its pixel data.
            req.addAll(chunks(0, i == 3 ? "CT.1.2.3.slice-004.dcm" : files.get(i).getFileName().toString(), i == 3 ? java.util.Arrays.copyOf(b, b.length - 500) : b,
                    4096));
        }
        assertThatThrownBy(() -> call(req)).isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> {
                    Status st = ((StatusRuntimeException) e).getStatus();
                    assertThat(st.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(st.getDescription()).contains("CT.1.2.3.slice-004.dcm").doesNotContain("hounsfield-analyze").doesNotContain("part-0");
                });
        // A NIfTI mask must say it is one.
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                .setInput(AnalyzeHeader.InputKind.DICOM_FILES)).build(), AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setInput(1)
                .setFile("mask.dcm").setData(ByteString.copyFromUtf8("x"))).build())))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("mask must be a NIfTI file").hasMessageContaining("mask.dcm");
        assertThat(server.reservedBytes()).isZero();
    }

    @Test
    void aBackendPreferenceTheServerCannotMeetFailsBeforeTheUpload() {
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                .setInput(AnalyzeHeader.InputKind.NIFTI).setBackend("cuda")).build())))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("FAILED_PRECONDITION").hasMessageContaining("on the CPU");
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                .setInput(AnalyzeHeader.InputKind.NIFTI).setBackend("gpu")).build())))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("cpu, cuda or auto");
    }

    @Test
    void malformedCallsFailClearlyAndLeaveNothingBehind() {
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setData(ByteString.copyFromUtf8("x"))).build())))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("before the header");
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder()
                .setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES).setInput(AnalyzeHeader.InputKind.NIFTI)).build(),
                AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setFile("x.nii.gz").setData(ByteString.copyFromUtf8("not a volume"))).build())))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT");
        var huge = io.hounsfield.serving.api.v1.Geometry.newBuilder().addExtent(1000).addExtent(1000).addExtent(300)
                .addSpacingMm(1).addSpacingMm(1).addSpacingMm(1).build();
        assertThatThrownBy(() -> call(List.of(AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.FEATURES)
                .setInput(AnalyzeHeader.InputKind.RAW).setGeometry(huge).setType(io.hounsfield.serving.api.v1.VoxelType.INT16)).build())))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(server.reservedBytes()).isZero();
        assertThat(server.storedVolumes()).isZero();
    }
}
