package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.segmentation.Segmenter;
import io.hounsfield.serving.api.v1.SegmentRequest;
import io.hounsfield.serving.api.v1.SegmentResult;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import io.hounsfield.serving.api.v1.Capabilities;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.FeatureResult;
import io.hounsfield.serving.api.v1.GetCapabilitiesRequest;
import io.hounsfield.serving.api.v1.Geometry;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.UploadVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.serving.api.v1.VolumeHeader;
import io.hounsfield.serving.api.v1.VoxelType;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.GZIPInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hounsfield.v1 service over the in-process transport: every RPC, and the server after each failure. */
class GrpcServiceTest {

    private static final Path PHANTOM_PARAMS = Path.of("..", "examples", "params", "ibsi-digital-phantom.yaml");
    private ModelRegistry models;
    private HounsfieldServer server;
    private ManagedChannel channel;
    private HounsfieldGrpc.HounsfieldBlockingStub stub;
    private HounsfieldGrpc.HounsfieldStub async;

    @BeforeEach
    void start() throws Exception {
        models = DemoModel.open(new ModelRegistry.Options(1, false));
        String name = InProcessServerBuilder.generateName();
        server = HounsfieldServer.start(InProcessServerBuilder.forName(name), new HounsfieldServer.Config(64 << 10, 1, 0, 64L << 20),
                CpuBackend.sequential(), models);
        channel = InProcessChannelBuilder.forName(name).build();
        stub = HounsfieldGrpc.newBlockingStub(channel);
        async = HounsfieldGrpc.newStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
        models.close();
    }

    private void assertServing() {
        HealthCheckResponse h = HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder().setService(HounsfieldGrpc.SERVICE_NAME).build());
        assertThat(h.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    private static VolumeHeader header(Volume v) {
        return ClientSupport.header(v, "test");
    }

    private VolumeHandle upload(Volume v, int chunk, boolean dropLast) throws Exception {
        return ClientSupport.upload(async, v, chunk, dropLast);
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> f) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        };
    }

    @Test
    void capabilitiesListBackendsModelsFeaturesAndLimits() {
        assertServing();
        Capabilities c = stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
        assertThat(c.getBackendsList()).extracting(b -> b.getName()).containsExactly("cpu", "cuda");
        assertThat(c.getModelsList()).singleElement().satisfies(m -> assertThat(m.getLabelsList()).containsExactly("background", "lesion", "liver"));
        assertThat(c.getFeaturesList()).hasSize(29 + 2 + 18 + 23 + 7 + 25 + 16 + 16 + 16 + 5 + 17);
        assertThat(c.getLimits().getMaxChunkBytes()).isEqualTo(64 << 10);
    }

    @Test
    void uploadedVolumesGiveTheSameFeaturesAsALocalExtraction() throws Exception {
        String params = Files.readString(PHANTOM_PARAMS);
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            VolumeHandle image = upload(p.image(), 7, false), mask = upload(p.mask().asVolume(), 5, false);
            FeatureResult r = stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId())
                    .setParameterFile(params).build());
            List<FeatureValue> local = new FeatureExtractor(CpuBackend.sequential()).extract(p.image(), p.mask(), ParameterFile.parse(params, "p"))
                    .features();
            assertThat(r.getFeaturesCount()).isEqualTo(local.size());
            for (int i = 0; i < local.size(); i++) {
                assertThat(r.getFeatures(i).getIbsiCode()).isEqualTo(local.get(i).ibsiCode());
                assertThat(r.getFeatures(i).getAggregation()).isEqualTo(local.get(i).aggregation());
                assertThat(r.getFeatures(i).getValue()).isEqualTo(local.get(i).value());
            }
            assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build()).getReleased()).isTrue();
            assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build()).getReleased()).isFalse();
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mask.getId()).build());
        }
        assertThat(server.storedVolumes()).isZero();
        assertThat(server.reservedBytes()).isZero();
    }

    /**
     * One request slot and no queue: a client that sends its next request the moment it has the answer finds the
     * slot free (the server gives the slot back before it answers), every time.
     */
    @Test
    void backToBackRequestsFindTheOnlySlotFree() throws Exception {
        String params = Files.readString(PHANTOM_PARAMS);
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            VolumeHandle image = upload(p.image(), 1 << 16, false), mask = upload(p.mask().asVolume(), 1 << 16, false);
            ExtractFeaturesRequest request = ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId())
                    .setParameterFile(params).build();
            for (int i = 0; i < 300; i++) {
                assertThat(stub.extractFeatures(request).getFeaturesCount()).as("request %d", i).isPositive();
            }
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build());
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mask.getId()).build());
        }
    }

    @Test
    void segmentStoresALabelMapThatFeaturesRunOn() throws Exception {
        try (Phantom p = Phantoms.ctBody(CtBody.medium().with(7002, CtBody.Anatomy.random(7002)), ProgressListener.NONE)) {
            VolumeHandle image = upload(p.image(), 100_000, false);
            SegmentResult seg = stub.segment(SegmentRequest.newBuilder().setImage(image.getId()).setReturnMask(true).build());
            try (Segmenter.Result local = new Segmenter(CpuBackend.sequential(), 4).segment(p.image(), models.models().getFirst(), null)) {
                byte[] want = local.mask().asVolume().segment().toArray(ValueLayout.JAVA_BYTE);
                assertThat(new GZIPInputStream(seg.getMaskGzip().newInput()).readAllBytes()).isEqualTo(want);
                assertThat(seg.getMaskGeometry()).isEqualTo(ClientSupport.header(p.image(), "x").getGeometry());
                assertThat(seg.getLabelsList()).extracting(l -> l.getName()).containsExactly("lesion", "liver");
                assertThat(seg.getLabels(0).getVoxels()).isEqualTo(local.mask().count(1)).isPositive();
                assertThat(seg.getMask().getBytes()).isEqualTo(want.length);
                // Features on the stored label map equal features on the local one.
                FeatureResult r = stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId())
                        .setMask(seg.getMask().getId()).setLabel(1).build());
                List<FeatureValue> values = new FeatureExtractor(CpuBackend.sequential()).extract(p.image(), local.mask(),
                        io.hounsfield.radiomics.RadiomicsSettings.defaults().withLabel(1)).features();
                assertThat(r.getFeaturesCount()).isEqualTo(values.size());
                for (int i = 0; i < values.size(); i++) {
                    assertThat(Double.compare(r.getFeatures(i).getValue(), values.get(i).value())).as(values.get(i).name()).isZero();
                }
            }
            assertThatThrownBy(() -> stub.segment(SegmentRequest.newBuilder().setImage(image.getId()).setModel("nnunet").build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND").hasMessageContaining("demo");
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build());
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(seg.getMask().getId()).build());
            assertThatThrownBy(() -> stub.segment(SegmentRequest.newBuilder().setImage(image.getId()).build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND").hasMessageContaining("released");
        }
        assertThat(server.storedVolumes()).isZero();
        assertThat(server.reservedBytes()).isZero();
        assertServing();
    }

    /** A volume released while a request uses it stays valid for that request and is freed when it ends. */
    @Test
    void releasingAVolumeInUseFreesItWhenTheLastUserEnds() {
        List<String> device = new java.util.ArrayList<>();
        VolumeStore store = new VolumeStore(1 << 20, new VolumeStore.Residency() {
            @Override
            public void keep(Volume v, String id) {
                device.add("keep " + id);
            }

            @Override
            public void release(Volume v) {
                assertThat(v.isOpen()).isTrue();
                device.add("release");
            }
        });
        Volume v = Volume.allocate(io.hounsfield.core.Geometry.axisAligned(new io.hounsfield.core.Extent(10, 10, 10),
                new io.hounsfield.core.Vec3(1, 1, 1), io.hounsfield.core.Vec3.ZERO), io.hounsfield.core.VoxelType.INT16);
        assertThat(store.reserve(2000)).isTrue();
        String id = store.put(v);
        VolumeStore.Lease a = store.lease(id).orElseThrow(), b = store.lease(id).orElseThrow();
        assertThat(store.release(id)).isTrue();
        assertThat(store.lease(id)).isEmpty();
        assertThat(store.size()).isZero();
        a.close();
        a.close(); // twice is once
        assertThat(v.isOpen()).isTrue();
        assertThat(b.volume().get(999)).isZero();
        assertThat(store.reservedBytes()).isEqualTo(2000);
        assertThat(device).containsExactly("keep " + id); // still on the device while a request uses it
        b.close();
        assertThat(v.isOpen()).isFalse();
        assertThat(device).containsExactly("keep " + id, "release");
        assertThat(store.reservedBytes()).isZero();
        assertThat(store.release(id)).isFalse();
    }

    @Test
    void badUploadsAndRequestsAreRefusedAndLeaveNothingBehind() throws Exception {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            assertThatThrownBy(() -> upload(p.image(), 16, true)).isInstanceOf(StatusRuntimeException.class)
                    .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                    .hasMessageContaining("of the header's");
            assertThatThrownBy(() -> stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage("nope").setMask("nope").build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND").hasMessageContaining("no uploaded volume 'nope'");
            VolumeHandle image = upload(p.image(), 64 << 10, false);
            assertThatThrownBy(() -> stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(image.getId()).build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("uint8");
            VolumeHandle mask = upload(p.mask().asVolume(), 64 << 10, false);
            assertThatThrownBy(() -> stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId())
                    .setParameterFile("setting:\n  binWidht: 25\n").build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("binWidht");
            assertThatThrownBy(() -> stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId())
                    .setLabel(9).build()))
                    .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("label 9 is absent");
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build());
            stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mask.getId()).build());
        }
        assertServing();
        assertThat(server.storedVolumes()).isZero();
        assertThat(server.reservedBytes()).isZero();
    }

    @Test
    void aCancelledUploadAndAnUploadOverBudgetLeaveNothingBehind() throws Exception {
        CompletableFuture<VolumeHandle> result = new CompletableFuture<>();
        StreamObserver<UploadVolumeRequest> up = async.uploadVolume(observer(result));
        Geometry big = Geometry.newBuilder().addExtent(100).addExtent(100).addExtent(100).addSpacingMm(1).addSpacingMm(1).addSpacingMm(1).build();
        up.onNext(UploadVolumeRequest.newBuilder().setHeader(VolumeHeader.newBuilder().setGeometry(big).setType(VoxelType.INT16)).build());
        up.onNext(UploadVolumeRequest.newBuilder().setChunk(ByteString.copyFrom(new byte[1000])).build());
        up.onError(Status.CANCELLED.withDescription("client gave up").asRuntimeException());
        for (int i = 0; i < 100 && server.reservedBytes() != 0; i++) {
            Thread.sleep(20);
        }
        assertThat(server.reservedBytes()).isZero();
        assertThat(server.storedVolumes()).isZero();

        CompletableFuture<VolumeHandle> over = new CompletableFuture<>();
        StreamObserver<UploadVolumeRequest> up2 = async.uploadVolume(observer(over));
        Geometry huge = Geometry.newBuilder().addExtent(1000).addExtent(1000).addExtent(100).addSpacingMm(1).addSpacingMm(1).addSpacingMm(1).build();
        up2.onNext(UploadVolumeRequest.newBuilder().setHeader(VolumeHeader.newBuilder().setGeometry(huge).setType(VoxelType.INT16)).build());
        assertThatThrownBy(() -> over.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("RESOURCE_EXHAUSTED").hasMessageContaining("upload budget");
        up2.onCompleted();
        assertServing();
        assertThat(server.reservedBytes()).isZero();
    }

    @Test
    void prometheusMetricsCountCallsByMethodAndStatusAndTimeStages() throws Exception {
        stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance());
        assertThatThrownBy(() -> stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage("x").setMask("y").build()));
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            VolumeHandle image = upload(p.image(), 64 << 10, false), mask = upload(p.mask().asVolume(), 64 << 10, false);
            stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId()).setLabel(1).build());
        }
        int port = server.serveMetrics("127.0.0.1", 0);
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .contains("hounsfield_requests_total{method=\"hounsfield.v1.Hounsfield/GetCapabilities\",code=\"OK\"} 1")
                .contains("hounsfield_requests_total{method=\"hounsfield.v1.Hounsfield/ExtractFeatures\",code=\"NOT_FOUND\"} 1")
                .contains("hounsfield_requests_total{method=\"hounsfield.v1.Hounsfield/ExtractFeatures\",code=\"OK\"} 1")
                .contains("hounsfield_request_duration_seconds_bucket{method=\"hounsfield.v1.Hounsfield/GetCapabilities\",le=\"+Inf\"} 1")
                .contains("hounsfield_stage_duration_seconds_count{stage=\"features: texture grid\"} 1")
                .contains("hounsfield_queue_depth 0")
                .contains("hounsfield_stored_volumes 2");
    }

    /** The same service over Netty on loopback: health, reflection-visible service, a capabilities call. */
    @Test
    void theNettyServerAnswersOnLoopback() throws Exception {
        try (HounsfieldServer netty = HounsfieldServer.startNetty("127.0.0.1", 0, HounsfieldServer.Config.defaults(), CpuBackend.sequential(), models)) {
            ManagedChannel c = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", netty.port()).usePlaintext().build();
            try {
                assertThat(HealthGrpc.newBlockingStub(c).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                assertThat(HounsfieldGrpc.newBlockingStub(c).withDeadlineAfter(30, TimeUnit.SECONDS)
                        .getCapabilities(GetCapabilitiesRequest.getDefaultInstance()).getEngineVersion()).isNotBlank();
            } finally {
                c.shutdownNow();
            }
        }
    }

    @Test
    void aFullQueueAnswersResourceExhaustedAtOnceAndAQueuedRequestHonoursItsDeadline() {
        Admission none = new Admission(1, 0);
        try (Admission.Permit held = none.enter(Long.MAX_VALUE)) {
            assertThatThrownBy(() -> none.enter(Long.MAX_VALUE)).isInstanceOf(StatusRuntimeException.class)
                    .hasMessageContaining("RESOURCE_EXHAUSTED").hasMessageContaining("busy");
        }
        Admission one = new Admission(1, 1);
        try (Admission.Permit held = one.enter(Long.MAX_VALUE)) {
            assertThatThrownBy(() -> one.enter(TimeUnit.MILLISECONDS.toNanos(50))).isInstanceOf(StatusRuntimeException.class)
                    .hasMessageContaining("DEADLINE_EXCEEDED");
        }
        try (Admission.Permit again = one.enter(0)) {
            assertThat(one.queued()).isZero();
        }
    }
}
