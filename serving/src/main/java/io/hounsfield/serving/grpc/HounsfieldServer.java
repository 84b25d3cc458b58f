package io.hounsfield.serving.grpc;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.v1.FeatureInfo;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.Limits;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server: {@code hounsfield.v1.Hounsfield}, the KServe v2 / Open Inference Protocol service
 * ({@code inference.GRPCInferenceService}), {@code grpc.health.v1} health (NOT_SERVING while it
 * warms up and while it drains), server reflection, keepalive, deliberate message-size limits (volumes
 * travel in chunks of at most {@link Config#maxChunkBytes}), admission control and an upload budget.
 * Lifecycle as grpc-java's: {@link #shutdown()} drains in-flight calls, {@link #awaitTermination}.
 */
public final class HounsfieldServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HounsfieldServer.class);
    /** The largest KServe ModelInfer request: a 512×512×256 float32 volume and change (hounsfield.v1 clients chunk, or pass handles). */
    public static final int MAX_INFER_MESSAGE_BYTES = 272 << 20;

    /**
     * @param maxChunkBytes      the largest upload chunk clients should send (hounsfield.v1 never needs a larger message;
     *                           the KServe protocol sends whole tensors, so inbound messages may hold up to
     *                           {@link #MAX_INFER_MESSAGE_BYTES})
     * @param maxConcurrent      requests that compute at once
     * @param maxQueued          requests that may wait; beyond, RESOURCE_EXHAUSTED at once
     * @param uploadBudgetBytes  host memory uploads may hold together
     */
    public record Config(int maxChunkBytes, int maxConcurrent, int maxQueued, long uploadBudgetBytes) {
        public static Config defaults() {
            long heapFree = Runtime.getRuntime().maxMemory();
            return new Config(4 << 20, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 16, Math.max(1L << 30, heapFree));
        }

        int maxMessageBytes() {
            return Math.max(maxChunkBytes + (1 << 20), MAX_INFER_MESSAGE_BYTES);
        }
    }

    private final Server server;
    private final HealthStatusManager health;
    private final VolumeStore store;
    private final Metrics metrics;
    private final Admission admission;
    private com.sun.net.httpserver.HttpServer metricsHttp;

    private HounsfieldServer(Server server, HealthStatusManager health, VolumeStore store, Metrics metrics, Admission admission) {
        this.admission = admission;
        this.server = server;
        this.health = health;
        this.store = store;
        this.metrics = metrics;
    }

    /** Serves Prometheus metrics at {@code http://host:port/metrics} until {@link #close()}; returns the port. */
    public synchronized int serveMetrics(String host, int port) throws IOException {
        if (metricsHttp == null) {
            metricsHttp = metrics.serve(host, port);
        }
        return metricsHttp.getAddress().getPort();
    }

    /**
     * Transport security and authentication.
     *
     * @param certChain  PEM certificate chain; null for plaintext
     * @param privateKey PEM private key (PKCS#8) for {@code certChain}
     * @param clientCa   PEM CA certificates clients must present a certificate from (mTLS); null: no client certificates
     * @param tokenFile  bearer tokens, one per line; null: no token needed
     */
    public record Security(Path certChain, Path privateKey, Path clientCa, Path tokenFile) {
        public static Security none() {
            return new Security(null, null, null, null);
        }

        public boolean tls() {
            return certChain != null;
        }
    }

    /** A plaintext Netty server on {@code host:port}, no token. */
    public static HounsfieldServer startNetty(String host, int port, Config config, ComputeBackend backend, ModelRegistry models) throws IOException {
        return startNetty(host, port, Security.none(), config, backend, models);
    }

    /** A Netty server on {@code host:port} with TLS (and mTLS) from PEM files and bearer tokens, as {@code security} says. */
    public static HounsfieldServer startNetty(String host, int port, Security security, Config config, ComputeBackend backend, ModelRegistry models)
            throws IOException {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(host), port))
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS)
                .permitKeepAliveTime(10, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true)
                .maxInboundMessageSize(config.maxMessageBytes());
        if (security.tls()) {
            var ssl = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forServer(security.certChain().toFile(), security.privateKey().toFile());
            if (security.clientCa() != null) {
                ssl.trustManager(security.clientCa().toFile()).clientAuth(io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE);
            }
            b.sslContext(ssl.build());
        }
        if (security.tokenFile() != null) {
            b.intercept(TokenAuth.fromFile(security.tokenFile()));
        }
        return start(b, config, backend, models);
    }

    /** The services on any server builder (tests use the in-process transport). */
    public static HounsfieldServer start(ServerBuilder<?> builder, Config config, ComputeBackend backend, ModelRegistry models) throws IOException {
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.NOT_SERVING);
        health.setStatus(HounsfieldGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
        VolumeStore store = new VolumeStore(config.uploadBudgetBytes(), backend instanceof io.hounsfield.core.backend.CudaBackend cuda
                ? new VolumeStore.Residency() {
                    @Override
                    public void keep(io.hounsfield.core.Volume v, String id) {
                        // Page-locked while stored (the upload pays for it, about one staged copy): the first request on the
                        // handle then copies it to the device straight from its memory. Unlocked when the volume is freed.
                        cuda.pin(v);
                        cuda.keep(v, "handle " + id);
                    }

                    @Override
                    public void release(io.hounsfield.core.Volume v) {
                        cuda.release(v);
                    }
                } : VolumeStore.Residency.NONE);
        Limits limits = Limits.newBuilder().setMaxMessageBytes(config.maxMessageBytes()).setMaxChunkBytes(config.maxChunkBytes())
                .setMaxConcurrentRequests(config.maxConcurrent()).setMaxQueuedRequests(config.maxQueued())
                .setUploadBudgetBytes(config.uploadBudgetBytes()).build();
        Admission admission = new Admission(config.maxConcurrent(), config.maxQueued());
        Metrics metrics = new Metrics();
        metrics.gauge("hounsfield_queue_depth", admission::queued);
        metrics.gauge("hounsfield_requests_running", admission::running);
        metrics.gauge("hounsfield_open_volumes", io.hounsfield.core.Volume::liveCount);
        metrics.gauge("process_resident_memory_bytes", Metrics::residentBytes);
        metrics.gauge("jvm_heap_used_bytes", () -> java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        metrics.gauge("jvm_heap_committed_bytes", () -> java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted());
        metrics.gauge("process_cpu_seconds_total", Metrics::cpuSeconds);
        metrics.gauge("hounsfield_stored_volumes", store::size);
        metrics.gauge("hounsfield_stored_volume_bytes", store::reservedBytes);
        metrics.gauge("hounsfield_upload_budget_bytes", store::budget);
        if (backend instanceof io.hounsfield.core.backend.CudaBackend cuda) {
            metrics.gauge("hounsfield_device_memory_bytes", () -> cuda.device().totalMemoryBytes());
            metrics.gauge("hounsfield_device_kept_bytes", cuda::keptBytes);
            metrics.gauge("hounsfield_host_pinned_bytes", cuda::pinnedBytes);
            cuda.metrics().snapshot().keySet().forEach(k -> metrics.gauge("hounsfield_cuda_" + k, () -> cuda.metrics().snapshot().get(k)));
        }
        HounsfieldService service = new HounsfieldService(backend, models, store, admission, limits, catalogue(), metrics);
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        Server server = builder.maxInboundMessageSize(config.maxMessageBytes()).intercept(metrics).addService(service)
                .addService(new KServeService(backend, models, admission, ready::get, metrics, store))
                .addService(health.getHealthService()).addService(ProtoReflectionServiceV1.newInstance()).build().start();
        // Warm-up done (the catalogue ran every family once): ready.
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(HounsfieldGrpc.SERVICE_NAME, ServingStatus.SERVING);
        ready.set(true);
        LOG.info("serving hounsfield.v1 on {}", server.getListenSockets());
        return new HounsfieldServer(server, health, store, metrics, admission);
    }

    /** Every feature this build computes (IBSI code, family, name), found by running them once on the IBSI phantom. */
    static List<FeatureInfo> catalogue() {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            RadiomicsSettings s = RadiomicsSettings.defaults().withLabel(1);
            Map<String, FeatureInfo> seen = new LinkedHashMap<>();
            for (FeatureValue f : new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(p.image(), p.mask(), s).features()) {
                seen.putIfAbsent(f.ibsiCode() + "|" + f.family() + "|" + f.name(), FeatureInfo.newBuilder().setIbsiCode(f.ibsiCode()).setFamily(f.family())
                        .setName(f.name()).build());
            }
            return new ArrayList<>(seen.values());
        }
    }

    public int port() {
        return server.getPort();
    }

    Metrics metrics() {
        return metrics;
    }

    /** Requests running under admission control now. */
    int running() {
        return admission.running();
    }

    int storedVolumes() {
        return store.size();
    }

    long reservedBytes() {
        return store.reservedBytes();
    }

    /** Stops accepting calls (health turns NOT_SERVING) and lets in-flight calls finish. */
    public void shutdown() {
        health.enterTerminalState();
        server.shutdown();
    }

    public boolean awaitTermination(long time, TimeUnit unit) throws InterruptedException {
        return server.awaitTermination(time, unit);
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /** Drains for up to 30 s, then stops and frees the uploaded volumes. */
    @Override
    public void close() {
        shutdown();
        try {
            if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            store.close();
            synchronized (this) {
                if (metricsHttp != null) {
                    metricsHttp.stop(0);
                }
            }
        }
    }
}
