package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.EngineVersion;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.BackendAvailability;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.cuda.CudaStatus;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.PyRadiomicsNames;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.ModelException;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.segmentation.OnnxModel;
import io.hounsfield.segmentation.Segmenter;
import io.hounsfield.segmentation.SlidingWindow;
import io.hounsfield.serving.api.v1.LabelCount;
import io.hounsfield.serving.api.v1.SegmentRequest;
import io.hounsfield.serving.api.v1.SegmentResult;
import io.hounsfield.serving.api.v1.Backend;
import io.hounsfield.serving.api.v1.Capabilities;
import io.hounsfield.serving.api.v1.Device;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.Feature;
import io.hounsfield.serving.api.v1.FeatureInfo;
import io.hounsfield.serving.api.v1.FeatureResult;
import io.hounsfield.serving.api.v1.GetCapabilitiesRequest;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.Limits;
import io.hounsfield.serving.api.v1.ModelInfo;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.ReleaseVolumeResponse;
import io.hounsfield.serving.api.v1.UploadVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.serving.api.v1.VolumeHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code hounsfield.v1.Hounsfield} service: capabilities, chunked uploads into the {@link VolumeStore},
 * features on uploaded volumes, releases. Every call runs under {@link Admission}; errors are gRPC statuses
 * a person can act on; patient data never reaches the log (volumes are named by their handles).
 */
final class HounsfieldService extends HounsfieldGrpc.HounsfieldImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(HounsfieldService.class);

    private final ComputeBackend backend;
    private final ModelRegistry models;
    private final VolumeStore store;
    private final Admission admission;
    private final Limits limits;
    private final List<FeatureInfo> catalogue;
    private final Metrics metrics;

    HounsfieldService(ComputeBackend backend, ModelRegistry models, VolumeStore store, Admission admission, Limits limits,
                      List<FeatureInfo> catalogue, Metrics metrics) {
        this.metrics = metrics;
        this.backend = backend;
        this.models = models;
        this.store = store;
        this.admission = admission;
        this.limits = limits;
        this.catalogue = catalogue;
    }

    private static long remainingNanos() {
        Deadline d = Context.current().getDeadline();
        return d == null ? Long.MAX_VALUE : Math.max(0, d.timeRemaining(TimeUnit.NANOSECONDS));
    }

    private static void checkCancelled() {
        Context c = Context.current();
        if (c.isCancelled()) {
            Throwable cause = c.cancellationCause();
            throw (c.getDeadline() != null && c.getDeadline().isExpired() ? Status.DEADLINE_EXCEEDED : Status.CANCELLED)
                    .withDescription("the request ended before the work did").withCause(cause).asRuntimeException();
        }
    }

    @Override
    public void getCapabilities(GetCapabilitiesRequest request, StreamObserver<Capabilities> out) {
        BackendAvailability a = BackendAvailability.detect();
        Backend.Builder cuda = Backend.newBuilder().setName("cuda").setUsable(a.cudaUsable()).setReason(a.reason());
        for (CudaStatus.Device d : a.cuda().devices()) {
            cuda.addDevices(Device.newBuilder().setOrdinal(d.ordinal()).setName(d.name()).setMemoryBytes(d.totalMemoryBytes())
                    .setComputeCapability(d.computeMajor() + "." + d.computeMinor()));
        }
        Capabilities.Builder c = Capabilities.newBuilder().setEngineVersion(EngineVersion.get())
                .addBackends(Backend.newBuilder().setName("cpu").setUsable(true).setReason("always available"))
                .addBackends(cuda).addAllFeatures(catalogue).setLimits(limits);
        for (var m : models.models()) {
            var d = m.descriptor();
            c.addModels(ModelInfo.newBuilder().setName(d.name()).addAllLabels(d.labels())
                    .addSpacingMm(d.spacing().x()).addSpacingMm(d.spacing().y()).addSpacingMm(d.spacing().z())
                    .addPatch(d.patch()[0]).addPatch(d.patch()[1]).addPatch(d.patch()[2]));
        }
        out.onNext(c.build());
        out.onCompleted();
    }

    @Override
    public StreamObserver<UploadVolumeRequest> uploadVolume(StreamObserver<VolumeHandle> out) {
        return new StreamObserver<>() {
            private Volume volume;
            private long expected, received, reservedBytes;
            private boolean failed;

            private void fail(Status s) {
                failed = true;
                discard();
                out.onError(s.asRuntimeException());
            }

            private void discard() {
                if (volume != null) {
                    volume.close();
                    volume = null;
                }
                if (reservedBytes > 0) {
                    store.unreserve(reservedBytes);
                    reservedBytes = 0;
                }
            }

            @Override
            public void onNext(UploadVolumeRequest r) {
                if (failed) {
                    return;
                }
                try {
                    if (r.hasHeader()) {
                        if (volume != null) {
                            fail(Status.INVALID_ARGUMENT.withDescription("a second header in one upload"));
                            return;
                        }
                        start(r.getHeader());
                    } else if (r.getPartCase() == UploadVolumeRequest.PartCase.CHUNK) {
                        if (volume == null) {
                            fail(Status.INVALID_ARGUMENT.withDescription("a chunk before the header: send the header first"));
                            return;
                        }
                        ByteString chunk = r.getChunk();
                        if (received + chunk.size() > expected) {
                            fail(Status.INVALID_ARGUMENT.withDescription("the chunks hold more than the header's " + expected + " bytes"));
                            return;
                        }
                        MemorySegment.copy(MemorySegment.ofBuffer(chunk.asReadOnlyByteBuffer()), 0, volume.segment(), received, chunk.size());
                        received += chunk.size();
                    } else {
                        fail(Status.INVALID_ARGUMENT.withDescription("an empty upload message"));
                    }
                } catch (StatusRuntimeException e) {
                    fail(e.getStatus());
                } catch (IllegalArgumentException e) {
                    fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
                }
            }

            private void start(VolumeHeader h) {
                Geometry geometry = ProtoTypes.geometry(h.getGeometry());
                VoxelType type = ProtoTypes.voxelType(h.getType());
                expected = geometry.extent().voxelCount() * type.bytes();
                if (!store.reserve(expected)) {
                    throw Status.RESOURCE_EXHAUSTED.withDescription("an upload of " + expected + " bytes exceeds the server's upload budget ("
                            + store.reservedBytes() + " of " + store.budget() + " bytes in use)").asRuntimeException();
                }
                reservedBytes = expected;
                volume = Volume.allocate(geometry, type);
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    throw new IllegalStateException("this server needs a little-endian host");
                }
            }

            @Override
            public void onError(Throwable t) {
                discard(); // cancelled or broken upload: nothing stays behind
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (volume == null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("an upload without a header"));
                    return;
                }
                if (received != expected) {
                    fail(Status.INVALID_ARGUMENT.withDescription("the chunks hold " + received + " of the header's " + expected + " bytes"));
                    return;
                }
                String id = store.put(volume);
                reservedBytes = 0;
                volume = null;
                LOG.debug("stored volume {} ({} bytes)", id, expected);
                out.onNext(VolumeHandle.newBuilder().setId(id).setBytes(expected).build());
                out.onCompleted();
            }
        };
    }

    @Override
    public void extractFeatures(ExtractFeaturesRequest request, StreamObserver<FeatureResult> out) {
        answer(out, "feature extraction", () -> {
            try (Admission.Permit ignored = admission.enter(remainingNanos());
                 VolumeStore.Lease image = lease(request.getImage(), "image");
                 VolumeStore.Lease maskVolume = lease(request.getMask(), "mask")) {
                checkCancelled();
                if (maskVolume.volume().type() != VoxelType.UINT8) {
                    throw Status.INVALID_ARGUMENT.withDescription("the mask must be uint8 labels, got " + maskVolume.volume().type().id())
                            .asRuntimeException();
                }
                RadiomicsSettings s = request.getParameterFile().isEmpty() ? RadiomicsSettings.defaults()
                        : ParameterFile.parse(request.getParameterFile(), "the request's parameter_file");
                if (request.getLabel() != 0) {
                    s = s.withLabel(request.getLabel());
                }
                Mask mask = Mask.wrap(maskVolume.volume());
                FeatureSet fs = extractor(request.getBackend()).extract(image.volume(), mask, s);
                fs.provenance().timingsMs().forEach((k, v) -> metrics.stage("features: " + k, v));
                checkCancelled();
                return result(fs);
            }
        });
    }

    /**
     * A unary call's answer: {@code work}'s result, or its failure as a status naming {@code what}. {@code work} holds
     * the call's admission permit and leases and gives them back before the answer goes out, so a client that has
     * the answer can send its next request at once and find the server's slot free.
     */
    static <T> void answer(StreamObserver<T> out, String what, Supplier<T> work) {
        T result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            out.onError(status(e, what));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    @Override
    public void segment(SegmentRequest request, StreamObserver<SegmentResult> out) {
        answer(out, "segmentation", () -> {
            try (Admission.Permit ignored = admission.enter(remainingNanos()); VolumeStore.Lease image = lease(request.getImage(), "image")) {
                checkCancelled();
                OnnxModel m = model(request.getModel());
                SegmentResult.Builder r = SegmentResult.newBuilder().setModel(m.descriptor().name());
                try (Segmenter.Result seg = new Segmenter(backendFor(request.getBackend()), 4).segment(image.volume(), m, callCancellation())) {
                    seg.timingsMs().forEach((k, v) -> metrics.stage("segment: " + k, v));
                    r.putAllTimingsMs(seg.timingsMs());
                    checkCancelled();
                    Mask mask = seg.mask();
                    List<String> names = m.descriptor().labels();
                    for (int l = 1; l < names.size(); l++) {
                        r.addLabels(LabelCount.newBuilder().setLabel(l).setName(names.get(l)).setVoxels(mask.count(l)));
                    }
                    if (request.getReturnMask()) {
                        r.setMaskGzip(gzip(mask.asVolume())).setMaskGeometry(ClientSupport.header(mask.asVolume(), "mask").getGeometry());
                    }
                    long bytes = mask.asVolume().segment().byteSize();
                    if (!store.reserve(bytes)) {
                        throw Status.RESOURCE_EXHAUSTED.withDescription("the label map (" + bytes + " bytes) exceeds the server's upload budget ("
                                + store.reservedBytes() + " of " + store.budget() + " bytes in use)").asRuntimeException();
                    }
                    Volume stored = Volume.allocate(mask.geometry(), VoxelType.UINT8);
                    MemorySegment.copy(mask.asVolume().segment(), 0, stored.segment(), 0, bytes);
                    r.setMask(VolumeHandle.newBuilder().setId(store.put(stored)).setBytes(bytes));
                }
                return r.build();
            }
        });
    }

    /** A stored volume for this request, or NOT_FOUND naming which one. */
    VolumeStore.Lease lease(String id, String role) {
        return store.lease(id).orElseThrow(() -> Status.NOT_FOUND.withDescription("no uploaded volume '" + id + "' (" + role
                + "); upload it first, or it was released").asRuntimeException());
    }

    /** The named model (empty: the first), or NOT_FOUND / FAILED_PRECONDITION naming the models there are. */
    OnnxModel model(String name) {
        if (name.isEmpty()) {
            return models.models().stream().findFirst().orElseThrow(() -> Status.FAILED_PRECONDITION
                    .withDescription("the server has no segmentation model (serve --models DIR)").asRuntimeException());
        }
        return models.get(name).orElseThrow(() -> Status.NOT_FOUND.withDescription("no model '" + name + "'; models: "
                + models.models().stream().map(x -> x.descriptor().name()).toList()).asRuntimeException());
    }

    /** A feature extractor on the preferred backend that stops at the next stage once this call is cancelled or past its deadline. */
    FeatureExtractor extractor(String backendPreference) {
        Context c = Context.current();
        return new FeatureExtractor(backendFor(backendPreference)).cancelWhen(c::isCancelled);
    }

    /**
     * The backend a request asked for: "" or "auto" the server's; "cpu" the CPU (the server's own CPU backend
     * when it runs CUDA); "cuda" the server's when it is CUDA, else FAILED_PRECONDITION saying why not.
     */
    ComputeBackend backendFor(String preference) {
        return switch (preference) {
            case "", "auto" -> backend;
            case "cpu" -> backend instanceof io.hounsfield.core.backend.CudaBackend ? cpu() : backend;
            case "cuda" -> {
                if (backend instanceof io.hounsfield.core.backend.CudaBackend) {
                    yield backend;
                }
                throw Status.FAILED_PRECONDITION.withDescription("this server computes on the CPU (" + BackendAvailability.detect().reason()
                        + "); ask for cpu or auto").asRuntimeException();
            }
            default -> throw Status.INVALID_ARGUMENT.withDescription("backend must be cpu, cuda or auto; got '" + preference + "'").asRuntimeException();
        };
    }

    private volatile io.hounsfield.core.backend.CpuBackend cpu;

    private io.hounsfield.core.backend.CpuBackend cpu() {
        io.hounsfield.core.backend.CpuBackend c = cpu;
        if (c == null) {
            synchronized (this) {
                if (cpu == null) {
                    int n = Runtime.getRuntime().availableProcessors();
                    cpu = new io.hounsfield.core.backend.CpuBackend(java.util.concurrent.Executors.newFixedThreadPool(n, r -> {
                        Thread t = new Thread(r, "hounsfield-cpu-preferred");
                        t.setDaemon(true);
                        return t;
                    }), 4 * n);
                }
                c = cpu;
            }
        }
        return c;
    }

    /** A segmentation cancellation that this call's end (client cancel, deadline) trips, terminating the ONNX run. */
    static SlidingWindow.Cancellation callCancellation() {
        SlidingWindow.Cancellation cancel = new SlidingWindow.Cancellation();
        Context.current().addListener(ctx -> cancel.cancel(), Runnable::run);
        return cancel;
    }

    /** The status a failed request answers with; unexpected failures are logged (without patient data) as INTERNAL. */
    static StatusRuntimeException status(RuntimeException e, String what) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        if (e instanceof CancellationException) {
            Context c = Context.current();
            boolean expired = c.getDeadline() != null && c.getDeadline().isExpired();
            return (expired ? Status.DEADLINE_EXCEEDED : Status.CANCELLED).withDescription(what + " stopped: " + e.getMessage()).asRuntimeException();
        }
        if (e instanceof ModelException m) {
            LOG.error("{} failed", what, m);
            return Status.INTERNAL.withDescription(what + " failed: " + m.getMessage()).asRuntimeException();
        }
        if (e instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        LOG.error("{} failed", what, e);
        return Status.INTERNAL.withDescription(what + " failed: " + e.getClass().getSimpleName()).asRuntimeException();
    }

    static ByteString gzip(Volume labels) {
        ByteString.Output buf = ByteString.newOutput();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf, 1 << 16)) {
            MemorySegment s = labels.segment();
            byte[] slab = new byte[1 << 20];
            for (long at = 0; at < s.byteSize(); at += slab.length) {
                int n = (int) Math.min(slab.length, s.byteSize() - at);
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, at, slab, 0, n);
                gz.write(slab, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteString();
    }

    @Override
    public StreamObserver<io.hounsfield.serving.api.v1.AnalyzeRequest> analyze(StreamObserver<io.hounsfield.serving.api.v1.AnalyzeEvent> out) {
        return new AnalyzeCall(this, out);
    }

    ComputeBackend backend() {
        return backend;
    }

    ModelRegistry models() {
        return models;
    }

    VolumeStore store() {
        return store;
    }

    Admission admission() {
        return admission;
    }

    Metrics metrics() {
        return metrics;
    }

    static long remaining() {
        return remainingNanos();
    }

    static void cancelled() {
        checkCancelled();
    }

    /** The result message of one label's features. */
    static FeatureResult result(FeatureSet fs) {
        FeatureResult.Builder r = FeatureResult.newBuilder().setEngineVersion(fs.provenance().engineVersion())
                .setBackend(fs.provenance().backend()).setSettingsSha256(fs.provenance().settingsHash())
                .setInputSha256(fs.provenance().inputHash()).putAllTimingsMs(fs.provenance().timingsMs())
                .addAllNotes(fs.provenance().notes());
        for (FeatureValue f : fs.features()) {
            r.addFeatures(Feature.newBuilder().setIbsiCode(f.ibsiCode()).setFamily(f.family()).setName(f.name())
                    .setAggregation(f.aggregation()).setValue(f.value()).setUnit(f.unit())
                    .setPyradiomicsName(PyRadiomicsNames.of(f.ibsiCode(), f.aggregation()).orElse("")));
        }
        return r.build();
    }

    @Override
    public void releaseVolume(ReleaseVolumeRequest request, StreamObserver<ReleaseVolumeResponse> out) {
        out.onNext(ReleaseVolumeResponse.newBuilder().setReleased(store.release(request.getId())).build());
        out.onCompleted();
    }
}
