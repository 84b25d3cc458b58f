package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.Volume;
import io.hounsfield.serving.api.v1.Geometry;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.UploadVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.serving.api.v1.VolumeHeader;

import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

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
        List<UploadVolumeRequest> head = List.of(UploadVolumeRequest.newBuilder().setHeader(header(v, "upload")).build());
        Iterator<UploadVolumeRequest> body = slabs(v.segment(), chunk, dropLast, bytes -> UploadVolumeRequest.newBuilder().setChunk(bytes).build());
        send(stub::uploadVolume, concat(head.iterator(), body), new StreamObserver<>() {
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
        try {
            return done.get(10, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /**
     * Starts a client-streaming or bidirectional call and sends {@code messages} under gRPC flow control:
     * the next message is made only when the transport is ready for it ({@code isReady} /
     * {@code onReadyHandler}), so a volume of any size streams through a bounded amount of memory. Half-closes
     * after the last message; stops sending once the call fails; cancels the call if making a message fails.
     *
     * @param start the stub's method, e.g. {@code stub::analyze}
     */
    public static <Q, R> void send(Function<StreamObserver<R>, StreamObserver<Q>> start, Iterator<Q> messages, StreamObserver<R> responses) {
        start.apply(new ClientResponseObserver<Q, R>() {
            private volatile boolean over;

            @Override
            public void beforeStart(ClientCallStreamObserver<Q> requests) {
                requests.setOnReadyHandler(() -> {
                    try {
                        while (!over && requests.isReady()) {
                            if (!messages.hasNext()) {
                                over = true;
                                requests.onCompleted();
                                return;
                            }
                            requests.onNext(messages.next());
                        }
                    } catch (RuntimeException e) {
                        over = true;
                        requests.cancel("the client could not make the next message", e);
                    }
                });
            }

            @Override
            public void onNext(R value) {
                responses.onNext(value);
            }

            @Override
            public void onError(Throwable t) {
                over = true;
                responses.onError(t);
            }

            @Override
            public void onCompleted() {
                over = true;
                responses.onCompleted();
            }
        });
    }

    /** The bytes of {@code s} as messages of at most {@code chunk} bytes, each copied only when asked for. */
    public static <Q> Iterator<Q> slabs(MemorySegment s, int chunk, boolean dropLast, Function<ByteString, Q> message) {
        if (chunk <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + chunk);
        }
        long end = dropLast && s.byteSize() > 0 ? (s.byteSize() - 1) / chunk * chunk : s.byteSize();
        return new Iterator<>() {
            private long at;

            @Override
            public boolean hasNext() {
                return at < end;
            }

            @Override
            public Q next() {
                if (at >= end) {
                    throw new NoSuchElementException();
                }
                int len = (int) Math.min(chunk, end - at);
                Q m = message.apply(ByteString.copyFrom(s.asSlice(at, len).asByteBuffer()));
                at += len;
                return m;
            }
        };
    }

    /** {@code a}, then {@code b}. */
    public static <T> Iterator<T> concat(Iterator<? extends T> a, Iterator<? extends T> b) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return a.hasNext() || b.hasNext();
            }

            @Override
            public T next() {
                return a.hasNext() ? a.next() : b.next();
            }
        };
    }

    /** The elements of a KServe v2 BYTES tensor's raw contents (each a 4-byte little-endian length, then the bytes) as UTF-8. */
    public static List<String> bytesElements(ByteString raw) {
        java.nio.ByteBuffer b = raw.asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<String> out = new java.util.ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 4) {
                throw new IllegalArgumentException("a BYTES tensor ends inside an element's length");
            }
            int n = b.getInt();
            if (n < 0 || n > b.remaining()) {
                throw new IllegalArgumentException("a BYTES element of " + n + " bytes where " + b.remaining() + " remain");
            }
            byte[] e = new byte[n];
            b.get(e);
            out.add(new String(e, java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
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
