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
import io.hounsfield.segmentation.ModelRegistry;
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

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
                var g = h.getGeometry();
                if (g.getExtentCount() != 3 || g.getSpacingMmCount() != 3) {
                    throw new IllegalArgumentException("the header's geometry needs 3 extents and 3 spacings");
                }
                Vec3 origin = g.getOriginMmCount() == 3 ? new Vec3(g.getOriginMm(0), g.getOriginMm(1), g.getOriginMm(2)) : Vec3.ZERO;
                Mat3 dir = Mat3.IDENTITY;
                if (g.getDirectionCount() == 9) {
                    double[] d = g.getDirectionList().stream().mapToDouble(Double::doubleValue).toArray();
                    dir = new Mat3(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
                } else if (g.getDirectionCount() != 0) {
                    throw new IllegalArgumentException("direction needs 9 values (row-major 3x3), got " + g.getDirectionCount());
                }
                Geometry geometry = new Geometry(new Extent(g.getExtent(0), g.getExtent(1), g.getExtent(2)),
                        new Vec3(g.getSpacingMm(0), g.getSpacingMm(1), g.getSpacingMm(2)), origin, dir);
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
        try (Admission.Permit ignored = admission.enter(remainingNanos())) {
            checkCancelled();
            Volume image = store.get(request.getImage()).orElseThrow(() -> Status.NOT_FOUND
                    .withDescription("no uploaded volume '" + request.getImage() + "' (image)").asRuntimeException());
            Volume maskVolume = store.get(request.getMask()).orElseThrow(() -> Status.NOT_FOUND
                    .withDescription("no uploaded volume '" + request.getMask() + "' (mask)").asRuntimeException());
            if (maskVolume.type() != VoxelType.UINT8) {
                throw Status.INVALID_ARGUMENT.withDescription("the mask must be uint8 labels, got " + maskVolume.type().id()).asRuntimeException();
            }
            RadiomicsSettings s = request.getParameterFile().isEmpty() ? RadiomicsSettings.defaults()
                    : ParameterFile.parse(request.getParameterFile(), "the request's parameter_file");
            if (request.getLabel() != 0) {
                s = s.withLabel(request.getLabel());
            }
            Mask mask = Mask.wrap(maskVolume);
            FeatureSet fs = new FeatureExtractor(backend).extract(image, mask, s);
            fs.provenance().timingsMs().forEach((k, v) -> metrics.stage("features: " + k, v));
            checkCancelled();
            FeatureResult.Builder r = FeatureResult.newBuilder().setEngineVersion(fs.provenance().engineVersion())
                    .setBackend(fs.provenance().backend()).setSettingsSha256(fs.provenance().settingsHash())
                    .setInputSha256(fs.provenance().inputHash()).putAllTimingsMs(fs.provenance().timingsMs())
                    .addAllNotes(fs.provenance().notes());
            for (FeatureValue f : fs.features()) {
                r.addFeatures(Feature.newBuilder().setIbsiCode(f.ibsiCode()).setFamily(f.family()).setName(f.name())
                        .setAggregation(f.aggregation()).setValue(f.value()).setUnit(f.unit())
                        .setPyradiomicsName(PyRadiomicsNames.of(f.ibsiCode(), f.aggregation()).orElse("")));
            }
            out.onNext(r.build());
            out.onCompleted();
        } catch (StatusRuntimeException e) {
            out.onError(e);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            LOG.error("ExtractFeatures failed", e);
            out.onError(Status.INTERNAL.withDescription("feature extraction failed: " + e.getClass().getSimpleName()).asRuntimeException());
        }
    }

    @Override
    public void releaseVolume(ReleaseVolumeRequest request, StreamObserver<ReleaseVolumeResponse> out) {
        out.onNext(ReleaseVolumeResponse.newBuilder().setReleased(store.release(request.getId())).build());
        out.onCompleted();
    }
}
