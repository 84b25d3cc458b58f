package io.hounsfield.serving.cli;

import io.hounsfield.core.backend.Backends;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.grpc.HounsfieldServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code hounsfield serve}: the gRPC server, with defaults that work without flags (loopback, port 50051, the demo model, auto backend). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve hounsfield.v1 and the KServe v2 inference protocol over gRPC, with grpc.health.v1 and reflection. "
                + "Plaintext is for loopback only unless --allow-remote-plaintext; --tls-cert/--tls-key (and --tls-client-ca for mTLS) and --token-file secure it.")
final class ServeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", defaultValue = "50051", description = "Port (0: any free one). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--model", paramLabel = "DIR", description = "Folder of NAME.onnx + NAME.yaml models (default: the shipped demo model).")
    Path modelDir;

    @Option(names = "--max-concurrent", description = "Requests computing at once (default: half the cores, at least 1).")
    Integer maxConcurrent;

    @Option(names = "--max-queue", defaultValue = "16", description = "Requests that may wait; beyond, RESOURCE_EXHAUSTED. Default: ${DEFAULT-VALUE}.")
    int maxQueue;

    @Option(names = "--upload-budget-mb", description = "Host memory uploaded volumes may hold together, MiB (default: the JVM's max heap, at least 1 GiB).")
    Long uploadBudgetMb;

    @Option(names = "--allow-remote-plaintext", description = "Listen on a non-loopback address without TLS: a warning is logged.")
    boolean allowRemotePlaintext;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "Server certificate chain (PEM): serve TLS.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The certificate's private key (PKCS#8 PEM).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM", description = "CA certificates that client certificates must chain to (mTLS).")
    Path tlsClientCa;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Bearer tokens, one per line: every call but health and reflection needs one.")
    Path tokenFile;

    @Option(names = "--metrics-port", defaultValue = "9464",
            description = "Prometheus metrics at http://127.0.0.1:PORT/metrics (-1: off). Default: ${DEFAULT-VALUE}.")
    int metricsPort;

    @picocli.CommandLine.Mixin
    BackendOption backendOption;

    @Override
    public Integer call() throws Exception {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (tlsClientCa != null && tlsCert == null) {
            throw new IllegalArgumentException("--tls-client-ca (mTLS) needs --tls-cert and --tls-key");
        }
        InetAddress address = InetAddress.getByName(host);
        if (!address.isLoopbackAddress() && tlsCert == null) {
            if (!allowRemotePlaintext) {
                throw new IllegalArgumentException("--host " + host + " is not a loopback address: serve TLS (--tls-cert, --tls-key), "
                        + "or pass --allow-remote-plaintext to accept unencrypted connections from the network");
            }
            LOG.warn("serving plaintext{} on {} (reachable from the network)", tokenFile == null ? ", without authentication," : "", host);
        }
        HounsfieldServer.Security security = new HounsfieldServer.Security(tlsCert, tlsKey, tlsClientCa, tokenFile);
        HounsfieldServer.Config d = HounsfieldServer.Config.defaults();
        HounsfieldServer.Config config = new HounsfieldServer.Config(d.maxChunkBytes(), maxConcurrent == null ? d.maxConcurrent() : maxConcurrent,
                maxQueue, uploadBudgetMb == null ? d.uploadBudgetBytes() : uploadBudgetMb << 20);
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        ModelRegistry.Options mo = new ModelRegistry.Options(threads, false);
        try (pool; ModelRegistry models = modelDir == null ? DemoModel.open(mo) : ModelRegistry.open(modelDir, mo);
             Backends.Selected backend = backendOption.open(new CpuBackend(pool, 4 * threads));
             HounsfieldServer server = HounsfieldServer.startNetty(host, port, security, config, backend.backend(), models)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "hounsfield-drain"));
            if (metricsPort >= 0) {
                System.err.printf("metrics at http://127.0.0.1:%d/metrics%n", server.serveMetrics("127.0.0.1", metricsPort));
            }
            System.err.printf("hounsfield serving on %s:%d (%s%s; backend %s — %s); Ctrl-C drains and stops%n", host, server.port(),
                    tlsCert == null ? "plaintext" : tlsClientCa == null ? "TLS" : "mTLS", tokenFile == null ? "" : ", bearer tokens",
                    backend.backend().name(), backend.reason());
            server.awaitTermination();
        }
        return 0;
    }
}
