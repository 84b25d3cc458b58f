package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.inference.GRPCInferenceServiceGrpc;
import io.hounsfield.serving.api.inference.ModelInferRequest;
import io.hounsfield.serving.api.v1.AnalyzeEvent;
import io.hounsfield.serving.api.v1.AnalyzeHeader;
import io.hounsfield.serving.api.v1.AnalyzeRequest;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.InputChunk;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.SegmentRequest;
import io.hounsfield.serving.api.v1.SegmentResult;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server over Netty on loopback under the failures a network brings: a deadline that passes in the
 * middle of an analysis, a client that cancels mid-analysis and mid-upload, a full queue, malformed
 * chunks. The analysis is held at a known point by a gate in the backend (segmentation's first step,
 * resampling, waits for it), so "mid-analysis" is a fact of the test, not a matter of timing. After each:
 * the server answers health, the work stopped (later stages never ran), and nothing is left reserved,
 * stored or spooled.
 */
class ServingFailuresTest {

    /** Holds every {@code resample} until opened. */
    private static final class Gate {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
    }

    private volatile Gate gate = new Gate();
    private ModelRegistry models;
    private HounsfieldServer server;
    private ManagedChannel channel;
    private Phantom phantom;

    @BeforeEach
    void start() throws Exception {
        models = DemoModel.open(new ModelRegistry.Options(1, false));
        ComputeBackend cpu = CpuBackend.sequential();
        ComputeBackend gated = (ComputeBackend) Proxy.newProxyInstance(ComputeBackend.class.getClassLoader(), new Class<?>[] {ComputeBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("resample")) {
                        Gate g = gate;
                        g.entered.countDown();
                        g.open.await();
                    }
                    try {
                        return method.invoke(cpu, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        // One request at a time and no queue: a held analysis fills the server.
        server = HounsfieldServer.startNetty("127.0.0.1", 0, new HounsfieldServer.Config(256 << 10, 1, 0, 64L << 20), gated, models);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        phantom = Phantoms.ctBody(CtBody.medium().with(7003, CtBody.Anatomy.random(7003)), ProgressListener.NONE);
    }

    @AfterEach
    void stop() {
        gate.open.countDown();
        channel.shutdownNow();
        server.close();
        models.close();
        phantom.close();
    }

    private void assertServingAndEmpty() throws InterruptedException {
        await(() -> server.running() == 0, "the server's requests to end");
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(HounsfieldGrpc.SERVICE_NAME).build()).getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        await(() -> server.reservedBytes() == 0, "the upload budget to be given back");
        assertThat(server.storedVolumes()).isZero();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The phantom as a RAW segment-then-features request. */
    private Iterator<AnalyzeRequest> segmentRequest() {
        AnalyzeRequest head = AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES)
                .setInput(AnalyzeHeader.InputKind.RAW).setGeometry(ClientSupport.header(phantom.image(), "ct").getGeometry())
                .setType(ProtoTypes.voxelType(phantom.image().type()))).build();
        return ClientSupport.concat(List.of(head).iterator(), ClientSupport.slabs(phantom.image().segment(), 100_000, false,
                b -> AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setData(b)).build()));
    }

    /** Starts an Analyze call; the future ends with the events, or the call's failure. */
    static CompletableFuture<List<AnalyzeEvent>> analyze(HounsfieldGrpc.HounsfieldStub stub, Iterator<AnalyzeRequest> requests) {
        CompletableFuture<List<AnalyzeEvent>> done = new CompletableFuture<>();
        List<AnalyzeEvent> events = new ArrayList<>();
        ClientSupport.send(stub::analyze, requests, new StreamObserver<>() {
            @Override
            public void onNext(AnalyzeEvent e) {
                events.add(e);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete(events);
            }
        });
        return done;
    }

    private static Status.Code failure(CompletableFuture<?> call) throws Exception {
        try {
            call.get(60, TimeUnit.SECONDS);
            throw new AssertionError("the call succeeded");
        } catch (ExecutionException e) {
            return Status.fromThrowable(e.getCause()).getCode();
        }
    }

    @Test
    void aDeadlinePassingMidAnalysisStopsTheWork() throws Exception {
        var call = analyze(HounsfieldGrpc.newStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS), segmentRequest());
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).as("the analysis reached segmentation").isTrue();
        assertThat(failure(call)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        gate.open.countDown(); // the server's thread goes on: it must notice and stop
        assertServingAndEmpty();
        Metrics m = server.metrics();
        assertThat(m.stageCount("read input")).isEqualTo(1);
        assertThat(m.stageCount("segment: windows")).as("inference never ran").isZero();
        assertThat(m.stageCount("features: lesion")).isZero();
    }

    @Test
    void aClientCancellingMidAnalysisStopsTheWorkAndAFullServerRefusesAtOnce() throws Exception {
        Context.CancellableContext ctx = Context.current().withCancellation();
        CompletableFuture<List<AnalyzeEvent>> call = ctx.call(() -> analyze(HounsfieldGrpc.newStub(channel), segmentRequest()));
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue();

        // The held analysis has the only permit and there is no queue: the next requests are refused at once.
        assertThatThrownBy(() -> HounsfieldGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .extractFeatures(ExtractFeaturesRequest.newBuilder().setImage("a").setMask("b").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThatThrownBy(() -> GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("radiomics").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

        ctx.cancel(null);
        assertThat(failure(call)).isEqualTo(Status.Code.CANCELLED);
        gate.open.countDown();
        assertServingAndEmpty();
        assertThat(server.metrics().stageCount("segment: windows")).isZero();

        // The server is whole again: the same request, ungated, completes.
        gate = new Gate();
        gate.open.countDown();
        List<AnalyzeEvent> events = analyze(HounsfieldGrpc.newStub(channel), segmentRequest()).get(2, TimeUnit.MINUTES);
        assertThat(events.getLast().getResult().getLabelsList()).extracting(l -> l.getName()).containsExactly("lesion", "liver");
        assertServingAndEmpty();
    }

    /** Shutdown drains: a running analysis completes, new calls are refused, then the server terminates. */
    @Test
    void gracefulShutdownLetsARunningAnalysisFinishAndRefusesNewCalls() throws Exception {
        var call = analyze(HounsfieldGrpc.newStub(channel), segmentRequest());
        assertThat(gate.entered.await(60, TimeUnit.SECONDS)).isTrue();
        server.shutdown();
        // A call racing the GOAWAY may still be answered, and then health says NOT_SERVING; after it, calls are refused.
        try {
            assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.NOT_SERVING);
        } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        }
        await(() -> {
            try {
                HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance());
                return false;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
            }
        }, "new calls to be refused");
        assertThat(server.awaitTermination(200, TimeUnit.MILLISECONDS)).as("still draining").isFalse();
        gate.open.countDown();
        List<AnalyzeEvent> events = call.get(2, TimeUnit.MINUTES);
        assertThat(events.getLast().getResult().getLabelsCount()).isEqualTo(2);
        assertThat(server.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.reservedBytes()).isZero();
    }

    @Test
    void aClientCancellingMidUploadLeavesNoSpooledFileAndNoReservation() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        List<Path> before = spools(tmp);
        Context.CancellableContext ctx = Context.current().withCancellation();
        CountDownLatch sent = new CountDownLatch(1);
        byte[] file = new byte[4 << 20];
        Iterator<AnalyzeRequest> requests = new Iterator<>() {
            int i = -1;

            @Override
            public boolean hasNext() {
                return true; // never half-closes: the client cancels instead
            }

            @Override
            public AnalyzeRequest next() {
                if (++i == 0) {
                    return AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES)
                            .setInput(AnalyzeHeader.InputKind.NIFTI)).build();
                }
                if (i == 20) {
                    sent.countDown();
                }
                return AnalyzeRequest.newBuilder().setChunk(InputChunk.newBuilder().setFile("ct.nii.gz")
                        .setData(ByteString.copyFrom(file, 0, 200_000))).build();
            }
        };
        CompletableFuture<List<AnalyzeEvent>> call = ctx.call(() -> analyze(HounsfieldGrpc.newStub(channel), requests));
        assertThat(sent.await(60, TimeUnit.SECONDS)).isTrue();
        await(() -> server.reservedBytes() > 0, "the server to receive chunks");
        ctx.cancel(null);
        assertThat(failure(call)).isEqualTo(Status.Code.CANCELLED);
        assertServingAndEmpty();
        await(() -> {
            try {
                return spools(tmp).equals(before);
            } catch (Exception e) {
                return false;
            }
        }, "the spooled input to be deleted");
    }

    private static List<Path> spools(Path tmp) throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("hounsfield-analyze")).sorted().toList();
        }
    }

    /** UploadVolume, Segment, ExtractFeatures on the stored label map and ReleaseVolume over the network. */
    @Test
    void segmentOnAHandleOverTheNetwork() throws Exception {
        gate.open.countDown();
        VolumeHandle image = ClientSupport.upload(HounsfieldGrpc.newStub(channel), phantom.image(), 100_000, false);
        var stub = HounsfieldGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.MINUTES);
        SegmentResult seg = stub.segment(SegmentRequest.newBuilder().setImage(image.getId()).build());
        assertThat(seg.getLabelsList()).extracting(l -> l.getName()).containsExactly("lesion", "liver");
        assertThat(seg.getMaskGzip().isEmpty()).isTrue();
        assertThat(stub.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(seg.getMask().getId()).setLabel(2).build())
                .getFeaturesCount()).isPositive();
        assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build()).getReleased()).isTrue();
        assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(seg.getMask().getId()).build()).getReleased()).isTrue();
        assertServingAndEmpty();
    }

    @Test
    void malformedChunksOverTheNetworkAreInvalidArgumentsAndLeaveNothingBehind() throws Exception {
        gate.open.countDown();
        // A RAW image with more bytes than its geometry holds.
        byte[] tooMany = new byte[(int) phantom.image().segment().byteSize() + 2];
        AnalyzeRequest head = AnalyzeRequest.newBuilder().setHeader(AnalyzeHeader.newBuilder().setTask(AnalyzeHeader.Task.SEGMENT_AND_FEATURES)
                .setInput(AnalyzeHeader.InputKind.RAW).setGeometry(ClientSupport.header(phantom.image(), "ct").getGeometry())
                .setType(ProtoTypes.voxelType(phantom.image().type()))).build();
        var over = analyze(HounsfieldGrpc.newStub(channel), List.of(head, AnalyzeRequest.newBuilder()
                .setChunk(InputChunk.newBuilder().setData(ByteString.copyFrom(tooMany))).build()).iterator());
        assertThat(failure(over)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // Too few bytes.
        var under = analyze(HounsfieldGrpc.newStub(channel), List.of(head, AnalyzeRequest.newBuilder()
                .setChunk(InputChunk.newBuilder().setData(ByteString.copyFrom(tooMany, 0, 1000))).build()).iterator());
        assertThat(failure(under)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // A mask chunk for a task that has no mask.
        var wrongInput = analyze(HounsfieldGrpc.newStub(channel), List.of(head, AnalyzeRequest.newBuilder()
                .setChunk(InputChunk.newBuilder().setInput(1).setData(ByteString.copyFrom(tooMany, 0, 10))).build()).iterator());
        assertThat(failure(wrongInput)).isEqualTo(Status.Code.INVALID_ARGUMENT);
        // A chunk larger than the server's message limit (256 KiB chunks + 1 MiB; KServe's 272 MiB is the larger).
        var huge = analyze(HounsfieldGrpc.newStub(channel), List.of(head, AnalyzeRequest.newBuilder()
                .setChunk(InputChunk.newBuilder().setData(ByteString.copyFrom(new byte[HounsfieldServer.MAX_INFER_MESSAGE_BYTES + 1]))).build())
                .iterator());
        assertThat(failure(huge)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertServingAndEmpty();
    }
}
