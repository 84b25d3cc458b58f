package io.hounsfield.benchmarks;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.inference.GRPCInferenceServiceGrpc;
import io.hounsfield.serving.api.inference.InferParameter;
import io.hounsfield.serving.api.inference.ModelInferRequest;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.serving.grpc.ClientSupport;
import io.hounsfield.serving.grpc.HounsfieldServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The load harness: N clients call a Hounsfield server on loopback for T seconds, then it reports
 * throughput, latency percentiles, errors by status code, and the server's resident memory, heap and CPU
 * (from its Prometheus endpoint) before and after. Before the load it measures the same feature extraction
 * in-process and with one client, so the server's overhead over in-process extraction of a cached volume is
 * one subtraction. The server is a separate JVM ({@code hounsfield serve}, the default), one already
 * running ({@code --server}), or this JVM ({@code --in-process}, for the short run in CI).
 */
@Command(name = "load-harness", mixinStandardHelpOptions = true, description = "Concurrency N for T seconds against a Hounsfield server on loopback.")
public final class LoadHarness implements Callable<Integer> {

    /** What each client call does. */
    enum Rpc {
        /** hounsfield.v1 ExtractFeatures on volumes uploaded once (the cached-volume case). */
        extract,
        /** KServe v2 ModelInfer on the radiomics model, the image and mask inside every request. */
        infer
    }

    @Option(names = "--concurrency", defaultValue = "4", description = "Clients calling at once. Default: ${DEFAULT-VALUE}.")
    int concurrency;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds of load. Default: ${DEFAULT-VALUE}.")
    double duration;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of load before measuring. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(names = "--rpc", defaultValue = "extract", description = "extract (ExtractFeatures on cached handles) or infer (KServe ModelInfer). Default: ${DEFAULT-VALUE}.")
    Rpc rpc;

    @Option(names = "--roi", defaultValue = "lesion", description = "lesion (~75 k voxels) or organ (~2.1 M voxels). Default: ${DEFAULT-VALUE}.")
    String roi;

    @Option(names = "--baseline-runs", defaultValue = "30", description = "Runs of the in-process and one-client baselines. Default: ${DEFAULT-VALUE}.")
    int baselineRuns;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Use this running server (plaintext) instead of starting one.")
    String server;

    @Option(names = "--metrics", paramLabel = "URL", description = "With --server: its metrics URL (default: none, no memory figures).")
    String metricsUrl;

    @Option(names = "--in-process", description = "Run the server in this JVM (memory figures then include the clients).")
    boolean inProcess;

    @Option(names = "--server-max-concurrent", description = "Started server: --max-concurrent (default: its own, half the cores).")
    Integer serverConcurrent;

    @Option(names = "--server-max-queue", defaultValue = "64", description = "Started server: --max-queue. Default: ${DEFAULT-VALUE}.")
    int serverQueue;

    private final PrintStream out;
    Report report;

    LoadHarness(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadHarness(System.out)).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** What a run measured. */
    record Report(long ok, Map<Status.Code, Long> errors, double seconds, double throughput, double p50, double p90, double p99, double max,
                  double inProcessMedianMs, double oneClientMedianMs, double overheadMedianMs, Map<String, Double> before, Map<String, Double> after) {
    }

    private String params() {
        // The radiomics benchmark's settings: fixed bin size 25, every family, label by ROI.
        return "setting:\n  binWidth: 25\n  label: " + ("lesion".equals(roi) ? BenchmarkVolume.LESION : BenchmarkVolume.ORGAN) + "\n";
    }

    @Override
    public Integer call() throws Exception {
        if (!roi.equals("lesion") && !roi.equals("organ")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--roi must be lesion or organ, got '" + roi + "'");
        }
        out.printf(Locale.ROOT, "# load: %s on the %s ROI, %d clients, %.0f s (+%.0f s warm-up), server %s%n", rpc, roi, concurrency, duration, warmup,
                server != null ? server : inProcess ? "in this JVM" : "a separate JVM (hounsfield serve, backend cpu)");
        Process child = null;
        HounsfieldServer local = null;
        ModelRegistry models = null;
        String target = server;
        String metrics = metricsUrl;
        try (BenchmarkVolume v = BenchmarkVolume.make()) {
            if (target == null) {
                int port = freePort(), metricsPort = freePort();
                if (inProcess) {
                    models = DemoModel.open(new ModelRegistry.Options(1, false));
                    HounsfieldServer.Config d = HounsfieldServer.Config.defaults();
                    local = HounsfieldServer.startNetty("127.0.0.1", port, new HounsfieldServer.Config(d.maxChunkBytes(),
                            serverConcurrent != null ? serverConcurrent : d.maxConcurrent(), serverQueue, d.uploadBudgetBytes()), serverBackend(), models);
                    local.serveMetrics("127.0.0.1", metricsPort);
                } else {
                    child = spawn(port, metricsPort);
                }
                target = "127.0.0.1:" + port;
                metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
            }
            String[] hp = target.split(":");
            ManagedChannel channel = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext()
                    .maxInboundMessageSize(HounsfieldServer.MAX_INFER_MESSAGE_BYTES).build();
            try {
                awaitServing(channel, child);
                report = run(channel, v, metrics);
            } finally {
                channel.shutdownNow();
            }
        } finally {
            if (local != null) {
                local.close();
            }
            if (models != null) {
                models.close();
            }
            if (child != null) {
                child.destroy();
                if (!child.waitFor(30, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
        print(report);
        return report.ok() > 0 ? 0 : 1; // errors under load (RESOURCE_EXHAUSTED, ...) are results, not failures
    }

    /** The backend a started server uses (as {@code hounsfield serve --backend cpu} makes it). */
    private static CpuBackend serverBackend() {
        int n = Runtime.getRuntime().availableProcessors();
        return new CpuBackend(Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "harness-server-backend");
            t.setDaemon(true);
            return t;
        }), 4 * n);
    }

    private Report run(ManagedChannel channel, BenchmarkVolume v, String metrics) throws Exception {
        String params = params();
        // In-process: the same extraction in this JVM, no server.
        int n = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        double inProcess;
        try {
            FeatureExtractor fx = new FeatureExtractor(new CpuBackend(pool, 4 * n));
            RadiomicsSettings s = ParameterFile.parse(params, "the harness's settings");
            long warm = System.nanoTime() + (long) (warmup * 1e9);
            do {
                fx.extract(v.image(), v.mask(), s); // JIT warm-up, as the server gets below
            } while (System.nanoTime() < warm);
            double[] t = new double[baselineRuns];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                fx.extract(v.image(), v.mask(), s);
                t[i] = (System.nanoTime() - t0) / 1e6;
            }
            inProcess = median(t);
        } finally {
            pool.shutdownNow();
        }

        Call call;
        List<String> handles = new ArrayList<>();
        if (rpc == Rpc.extract) {
            var async = HounsfieldGrpc.newStub(channel);
            VolumeHandle ih = ClientSupport.upload(async, v.image(), 4 << 20, false);
            VolumeHandle mh = ClientSupport.upload(async, v.mask().asVolume(), 4 << 20, false);
            handles.add(ih.getId());
            handles.add(mh.getId());
            ExtractFeaturesRequest req = ExtractFeaturesRequest.newBuilder().setImage(ih.getId()).setMask(mh.getId()).setParameterFile(params).build();
            call = () -> HounsfieldGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES).extractFeatures(req)
                    .getTimingsMsOrDefault("total", Double.NaN);
        } else {
            ModelInferRequest req = inferRequest(v, params);
            call = () -> {
                GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES).modelInfer(req);
                return Double.NaN; // KServe's response carries no timings
            };
        }
        try {
            load(call, warmup); // warm-up, discarded
            // One client, one call at a time: the server's latency for the same work, and (ExtractFeatures) the
            // extraction time the server itself reports, so latency minus it is the serving overhead per call.
            double[] t = new double[baselineRuns], overhead = new double[baselineRuns];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                double compute = call.run();
                t[i] = (System.nanoTime() - t0) / 1e6;
                overhead[i] = t[i] - compute;
            }
            double oneClient = median(t), perCallOverhead = median(overhead);

            Map<String, Double> before = scrape(metrics);
            Load l = load(call, duration);
            Map<String, Double> after = scrape(metrics);
            double[] lat = l.latenciesMs();
            Arrays.sort(lat);
            return new Report(lat.length, l.errors(), l.seconds(), lat.length / l.seconds(), pct(lat, 50), pct(lat, 90), pct(lat, 99),
                    lat.length == 0 ? Double.NaN : lat[lat.length - 1], inProcess, oneClient, perCallOverhead, before, after);
        } finally {
            var stub = HounsfieldGrpc.newBlockingStub(channel);
            for (String h : handles) {
                stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(h).build());
            }
        }
    }

    /** One call; returns the server's own extraction time in ms where the response says it, else NaN. */
    @FunctionalInterface
    private interface Call {
        double run() throws Exception;
    }

    private record Load(double[] latenciesMs, Map<Status.Code, Long> errors, double seconds) {
    }

    /** {@code concurrency} clients calling back to back for {@code seconds}; calls started before the end count. */
    private Load load(Call call, double seconds) throws Exception {
        if (seconds <= 0) {
            return new Load(new double[0], Map.of(), 0);
        }
        long start = System.nanoTime(), end = start + (long) (seconds * 1e9);
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Load>> fs = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                fs.add(clients.submit(() -> {
                    double[] lat = new double[1024];
                    int k = 0;
                    Map<Status.Code, Long> err = new EnumMap<>(Status.Code.class);
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            call.run();
                            if (k == lat.length) {
                                lat = Arrays.copyOf(lat, 2 * k);
                            }
                            lat[k++] = (System.nanoTime() - t0) / 1e6;
                        } catch (Exception e) {
                            err.merge(Status.fromThrowable(e).getCode(), 1L, Long::sum);
                        }
                    }
                    return new Load(Arrays.copyOf(lat, k), err, 0);
                }));
            }
            List<double[]> all = new ArrayList<>();
            Map<Status.Code, Long> errors = new EnumMap<>(Status.Code.class);
            for (Future<Load> f : fs) {
                Load l = f.get();
                all.add(l.latenciesMs());
                l.errors().forEach((k, n) -> errors.merge(k, n, Long::sum));
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            return new Load(all.stream().flatMapToDouble(Arrays::stream).toArray(), errors, elapsed);
        } finally {
            clients.shutdownNow();
        }
    }

    private static ModelInferRequest inferRequest(BenchmarkVolume v, String params) {
        var g = v.image().geometry();
        var e = g.extent();
        ByteBuffer spacing = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putDouble(g.spacing().x()).putDouble(g.spacing().y())
                .putDouble(g.spacing().z()).flip();
        return ModelInferRequest.newBuilder().setModelName("radiomics")
                .addInputs(tensor("image", "INT16", e.nz(), e.ny(), e.nx())).addInputs(tensor("mask", "UINT8", e.nz(), e.ny(), e.nx()))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("spacing").setDatatype("FP64").addShape(3))
                .addRawInputContents(bytes(v.image())).addRawInputContents(bytes(v.mask().asVolume())).addRawInputContents(ByteString.copyFrom(spacing))
                .putParameters("parameter_file", InferParameter.newBuilder().setStringParam(params).build()).build();
    }

    private static ModelInferRequest.InferInputTensor tensor(String name, String type, long... shape) {
        var b = ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type);
        for (long s : shape) {
            b.addShape(s);
        }
        return b.build();
    }

    private static ByteString bytes(Volume v) {
        MemorySegment s = v.segment();
        return ByteString.copyFrom(s.asByteBuffer());
    }

    private Process spawn(int port, int metricsPort) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.hounsfield.serving.cli.Main", "serve", "--port", String.valueOf(port), "--metrics-port", String.valueOf(metricsPort),
                "--backend", "cpu", "--max-queue", String.valueOf(serverQueue)));
        if (serverConcurrent != null) {
            cmd.addAll(List.of("--max-concurrent", String.valueOf(serverConcurrent)));
        }
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static void awaitServing(ManagedChannel channel, Process child) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try {
                if (HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS).check(HealthCheckRequest.getDefaultInstance())
                        .getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // starting
            }
            if (child != null && !child.isAlive()) {
                throw new IllegalStateException("the server exited with " + child.exitValue() + " before serving");
            }
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the server did not report SERVING within 3 minutes");
            }
            Thread.sleep(100);
        }
    }

    /** The unlabelled samples of a Prometheus endpoint (name → value); empty without one. */
    static Map<String, Double> scrape(String url) throws IOException, InterruptedException {
        Map<String, Double> m = new TreeMap<>();
        if (url == null) {
            return m;
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
            for (String line : body.split("\n")) {
                if (line.startsWith("#") || line.contains("{")) {
                    continue;
                }
                String[] p = line.trim().split(" ");
                if (p.length == 2) {
                    m.put(p[0], Double.parseDouble(p[1]));
                }
            }
        }
        return m;
    }

    private void print(Report r) {
        out.printf(Locale.ROOT, "in-process extraction (this JVM, all cores)  median %8.1f ms (%d runs)%n", r.inProcessMedianMs(), baselineRuns);
        out.printf(Locale.ROOT, "one client, one call at a time               median %8.1f ms (%d runs) -> %+.1f ms (%+.1f %%) over in-process%n",
                r.oneClientMedianMs(), baselineRuns, r.oneClientMedianMs() - r.inProcessMedianMs(),
                100 * (r.oneClientMedianMs() - r.inProcessMedianMs()) / r.inProcessMedianMs());
        if (!Double.isNaN(r.overheadMedianMs())) {
            out.printf(Locale.ROOT, "server overhead per call (latency minus the server's own extraction time): median %.2f ms%n", r.overheadMedianMs());
        }
        out.printf(Locale.ROOT, "load: %d clients for %.1f s: %d ok, %.2f calls/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                concurrency, r.seconds(), r.ok(), r.throughput(), r.p50(), r.p90(), r.p99(), r.max());
        out.println("errors by code: " + (r.errors().isEmpty() ? "none" : r.errors()));
        for (String k : List.of("process_resident_memory_bytes", "jvm_heap_used_bytes", "jvm_heap_committed_bytes", "hounsfield_open_volumes",
                "hounsfield_stored_volume_bytes", "process_cpu_seconds_total")) {
            Double b = r.before().get(k), a = r.after().get(k);
            if (b != null && a != null) {
                boolean bytes = k.endsWith("_bytes");
                out.printf(Locale.ROOT, "server %-32s before %12s  after %12s%n", k, fmt(b, bytes), fmt(a, bytes));
            }
        }
        Double cb = r.before().get("process_cpu_seconds_total"), ca = r.after().get("process_cpu_seconds_total");
        if (cb != null && ca != null && r.ok() > 0) {
            out.printf(Locale.ROOT, "server CPU per call: %.1f ms (all threads)%n", 1000 * (ca - cb) / r.ok());
        }
    }

    private static String fmt(double v, boolean bytes) {
        return bytes ? String.format(Locale.ROOT, "%.1f MiB", v / (1 << 20)) : String.format(Locale.ROOT, "%.1f", v);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
