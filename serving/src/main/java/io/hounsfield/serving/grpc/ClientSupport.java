package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.Volume;
import io.hounsfield.serving.api.v1.Geometry;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.UploadVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.serving.api.v1.VolumeHeader;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** What a Java client of {@code hounsfield.v1} needs: the upload header of a volume, a chunked upload, bearer credentials. */
public final class ClientSupport {

    private ClientSupport() {
    }

    /** The upload header of {@code v}: its grid (extent, spacing, origin, direction) and voxel type. */
    public static VolumeHeader header(Volume v, String name) {
        var g = v.geometry();
        Geometry.Builder gb = Geometry.newBuilder().addExtent(g.extent().nx()).addExtent(g.extent().ny()).addExtent(g.extent().nz())
                .addSpacingMm(g.spacing().x()).addSpacingMm(g.spacing().y()).addSpacingMm(g.spacing().z())
                .addOriginMm(g.origin().x()).addOriginMm(g.origin().y()).addOriginMm(g.origin().z());
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                gb.addDirection(g.direction().get(r, c));
            }
        }
        return VolumeHeader.newBuilder().setName(name).setGeometry(gb).setType(ProtoTypes.voxelType(v.type())).build();
    }

    /**
     * Uploads {@code v} in chunks of {@code chunk} bytes and waits for its handle; {@code dropLast} leaves
     * the last chunk out (tests of short uploads).
     *
     * @throws Exception the call's failure ({@link io.grpc.StatusRuntimeException})
     */
    public static VolumeHandle upload(HounsfieldGrpc.HounsfieldStub stub, Volume v, int chunk, boolean dropLast) throws Exception {
        CompletableFuture<VolumeHandle> done = new CompletableFuture<>();
        StreamObserver<UploadVolumeRequest> up = stub.uploadVolume(new StreamObserver<>() {
            @Override
            public void onNext(VolumeHandle h) {
                done.complete(h);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        up.onNext(UploadVolumeRequest.newBuilder().setHeader(header(v, "upload")).build());
        MemorySegment s = v.segment();
        for (long at = 0; at < s.byteSize(); at += chunk) {
            int len = (int) Math.min(chunk, s.byteSize() - at);
            if (dropLast && at + len == s.byteSize()) {
                break;
            }
            up.onNext(UploadVolumeRequest.newBuilder().setChunk(ByteString.copyFrom(s.asSlice(at, len).asByteBuffer())).build());
        }
        up.onCompleted();
        try {
            return done.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** Call credentials sending {@code authorization: Bearer <token>}. */
    public static CallCredentials bearer(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
                applier.apply(m);
            }
        };
    }
}
