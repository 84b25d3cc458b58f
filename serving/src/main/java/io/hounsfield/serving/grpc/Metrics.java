package io.hounsfield.serving.grpc;

import com.sun.net.httpserver.HttpServer;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * Prometheus metrics (text exposition format 0.0.4) over HTTP at {@code /metrics}: requests by method and
 * status code, latency histograms per method and per stage (feature extraction and segmentation stages),
 * and gauges (queue depth, stored volumes and bytes, backend counters). Also the server interceptor that
 * counts calls. Thread-safe.
 */
final class Metrics implements ServerInterceptor {

    static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    /** A histogram with fixed buckets (seconds). */
    static final class Histogram {
        final AtomicLong[] counts = new AtomicLong[BUCKETS.length];
        final AtomicLong count = new AtomicLong();
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new AtomicLong();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].incrementAndGet();
                }
            }
            count.incrementAndGet();
            sum.add(seconds);
        }
    }

    private final ConcurrentHashMap<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> latency = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Histogram> stages = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Number>> gauges = new ConcurrentHashMap<>();

    void gauge(String name, Supplier<Number> value) {
        gauges.put(name, value);
    }

    /** One stage's wall time (ms), e.g. from a FeatureSet's provenance or a segmentation's timings. */
    void stage(String stage, double millis) {
        stages.computeIfAbsent(stage, s -> new Histogram()).observe(millis / 1000);
    }

    /** This process's resident set (VmRSS of /proc/self/status), bytes; -1 where there is no /proc. */
    static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: unknown
        }
        return -1;
    }

    /** CPU time this process has used, seconds (user + system); -1 if the JVM cannot say. */
    static double cpuSeconds() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ns = os.getProcessCpuTime();
            return ns < 0 ? -1 : ns / 1e9;
        }
        return -1;
    }

    /** How many times {@code stage} was observed (tests: did a stage run at all). */
    long stageCount(String stage) {
        Histogram h = stages.get(stage);
        return h == null ? 0 : h.count.get();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        long t0 = System.nanoTime();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                requests.computeIfAbsent(method + "\u0000" + status.getCode(), k -> new AtomicLong()).incrementAndGet();
                latency.computeIfAbsent(method, k -> new Histogram()).observe((System.nanoTime() - t0) / 1e9);
                super.close(status, trailers);
            }
        }, headers);
    }

    private static String esc(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void histogram(StringBuilder b, String name, String label, Map<String, Histogram> hs) {
        b.append("# TYPE ").append(name).append(" histogram\n");
        for (var e : new TreeMap<>(hs).entrySet()) {
            String l = label + "=\"" + esc(e.getKey()) + "\"";
            Histogram h = e.getValue();
            for (int i = 0; i < BUCKETS.length; i++) {
                b.append(name).append("_bucket{").append(l).append(",le=\"").append(BUCKETS[i]).append("\"} ").append(h.counts[i].get()).append('\n');
            }
            b.append(name).append("_bucket{").append(l).append(",le=\"+Inf\"} ").append(h.count.get()).append('\n');
            b.append(name).append("_sum{").append(l).append("} ").append(h.sum.sum()).append('\n');
            b.append(name).append("_count{").append(l).append("} ").append(h.count.get()).append('\n');
        }
    }

    /** The exposition text. */
    String scrape() {
        StringBuilder b = new StringBuilder();
        b.append("# HELP hounsfield_requests_total gRPC calls by method and status code.\n# TYPE hounsfield_requests_total counter\n");
        for (var e : new TreeMap<>(requests).entrySet()) {
            String[] k = e.getKey().split("\u0000");
            b.append("hounsfield_requests_total{method=\"").append(esc(k[0])).append("\",code=\"").append(k[1]).append("\"} ")
                    .append(e.getValue().get()).append('\n');
        }
        b.append("# HELP hounsfield_request_duration_seconds gRPC call latency by method.\n");
        histogram(b, "hounsfield_request_duration_seconds", "method", latency);
        b.append("# HELP hounsfield_stage_duration_seconds Wall time of pipeline stages.\n");
        histogram(b, "hounsfield_stage_duration_seconds", "stage", stages);
        for (var e : new TreeMap<>(gauges).entrySet()) {
            b.append("# TYPE ").append(e.getKey()).append(e.getKey().endsWith("_total") ? " counter\n" : " gauge\n").append(e.getKey()).append(' ').append(e.getValue().get()).append('\n');
        }
        return b.toString();
    }

    /** Serves {@code /metrics} on {@code host:port} (port 0: any); close the returned server to stop. */
    HttpServer serve(String host, int port) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 0);
        http.createContext("/metrics", ex -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        http.start();
        return http;
    }
}
