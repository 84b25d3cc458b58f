package io.hounsfield.serving.grpc;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.cli.Main;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with a client Hounsfield did not write: {@code src/test/python/interop_client.py} (Debian's
 * python3-grpcio and python3-grpc-tools, stubs generated from our .proto files at run time) calls
 * {@code Analyze} and KServe v2 {@code ModelInfer} on a Netty server; its answers must equal what
 * {@code hounsfield analyze} (the CLI, run here in-process) writes for the same NIfTI file. Skips where
 * those packages are missing, except in CI (CI=true), where a skip would hide a gap.
 */
class PythonInteropTest {

    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static boolean pythonGrpcPresent() throws Exception {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import grpc, grpc_tools, nibabel, numpy").redirectErrorStream(true).start();
        return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @Test
    void aPythonClientGetsWhatTheCliComputes(@TempDir Path dir) throws Exception {
        if (!pythonGrpcPresent()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI must run the Python interop test: install python3-grpcio python3-grpc-tools python3-nibabel (.ci/run does)");
            }
            Assumptions.abort("python3 with grpc, grpc_tools, nibabel and numpy not found: apt-get install python3-grpcio python3-grpc-tools python3-nibabel");
        }
        Path nifti = dir.resolve("ct.nii.gz");
        try (Phantom p = Phantoms.ctBody(CtBody.medium().with(7004, CtBody.Anatomy.random(7004)), ProgressListener.NONE)) {
            new NiftiWriter().write(p.image(), nifti, ProgressListener.NONE);
        }
        // The CLI's answer.
        Path cliOut = dir.resolve("cli");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true),
                "analyze", nifti.toString(), "--out", cliOut.toString(), "--format", "json", "--backend", "cpu");
        assertThat(code).as(err.toString()).isZero();

        // The Python client's answer.
        Path answer = dir.resolve("python.json");
        try (ModelRegistry models = DemoModel.open(new ModelRegistry.Options(1, false));
             HounsfieldServer server = HounsfieldServer.startNetty("127.0.0.1", 0, HounsfieldServer.Config.defaults(), CpuBackend.sequential(), models)) {
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), Path.of("src", "test", "python", "interop_client.py").toString(),
                    "--server", "127.0.0.1:" + server.port(), "--proto", Path.of("src", "main", "proto").toString(),
                    "--nifti", nifti.toString(), "--out", answer.toString()).redirectErrorStream(true);
            // grpc-tools' protoc is older than Debian's protobuf runtime: the pure-Python runtime reads its output.
            pb.environment().put("PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION", "python");
            Process proc = pb.start();
            String log = new String(proc.getInputStream().readAllBytes());
            assertThat(proc.waitFor(10, TimeUnit.MINUTES)).isTrue();
            assertThat(proc.exitValue()).as(log).isZero();
        }
        ObjectMapper json = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build(); // Python writes NaN
        JsonNode py = json.readTree(answer.toFile());
        JsonNode analyze = py.get("analyze");
        assertThat(analyze.get("bytes_received").asLong()).isEqualTo(Files.size(nifti));
        assertThat(analyze.get("stages").toString()).contains("read input", "segment: windows", "features: lesion", "features: liver");
        assertThat(analyze.get("labels").fieldNames()).toIterable().containsExactly("lesion", "liver");
        int compared = 0;
        for (String label : new String[] {"lesion", "liver"}) {
            JsonNode cli = json.readTree(cliOut.resolve("features-" + label + ".json").toFile()).get("features");
            JsonNode got = analyze.get("labels").get(label).get("features");
            assertThat(got.size()).isEqualTo(cli.size());
            for (JsonNode f : cli) {
                String key = key(f);
                assertThat(got.has(key)).as(key).isTrue();
                assertSame(key, got.get(key), f.get("value"), 0);
                compared++;
            }
        }
        assertThat(py.at("/triton_model_config/max_batch_size").asInt()).isZero();
        assertThat(py.at("/triton_model_config/inputs").toString()).isEqualTo("[[\"image\",11,[-1,-1,-1],false],[\"mask\",2,[-1,-1,-1],false],"
                + "[\"spacing\",12,[3],false],[\"origin\",12,[3],true],[\"direction\",12,[9],true]]");
        // KServe v2 (the client sends the NIfTI's grid in LPS as the origin and direction inputs): the segmentation
        // model's label map equals Analyze's; radiomics on it equals the CLI's lesion features bit for bit.
        assertThat(py.at("/kserve_segmentation/equals_analyze_mask").asBoolean()).isTrue();
        assertThat(py.at("/kserve_segmentation/voxels/1").asLong()).isEqualTo(analyze.at("/labels/lesion/voxels").asLong()).isPositive();
        JsonNode kf = py.at("/kserve_radiomics/features");
        JsonNode cliLesion = json.readTree(cliOut.resolve("features-lesion.json").toFile()).get("features");
        assertThat(kf.size()).isEqualTo(cliLesion.size());
        Map<String, JsonNode> byName = new HashMap<>();
        kf.fields().forEachRemaining(e -> byName.put(e.getKey(), e.getValue()));
        for (JsonNode f : cliLesion) {
            String key = key(f);
            assertThat(byName).containsKey(key);
            assertSame(key, byName.get(key), f.get("value"), 0);
            compared++;
        }
        assertThat(compared).isGreaterThan(3 * 150);
    }

    /** A feature's identity as both sides print it: IBSI code, family, name, aggregation. */
    private static String key(JsonNode f) {
        return f.get("ibsi_code").asText() + "|" + f.get("family").asText() + "|" + f.get("name").asText() + "|" + f.get("aggregation").asText();
    }

    /**
     * Equal doubles within {@code relative} (0: bit for bit — JSON numbers print shortest round-trip decimals on
     * both sides), NaN printed as null or "NaN".
     */
    private static void assertSame(String what, JsonNode got, JsonNode want, double relative) {
        boolean wantNaN = want.isNull() || want.isTextual() && want.asText().equals("NaN");
        boolean gotNaN = got.isNull() || got.isTextual() && got.asText().equals("NaN") || got.isNumber() && Double.isNaN(got.asDouble());
        if (wantNaN || gotNaN) {
            assertThat(gotNaN).as(what).isEqualTo(wantNaN);
            return;
        }
        if (relative == 0) {
            assertThat(got.asDouble()).as(what).isEqualTo(want.asDouble());
        } else {
            assertThat(got.asDouble()).as(what).isCloseTo(want.asDouble(), org.assertj.core.data.Offset.offset(relative * Math.max(1, Math.abs(want.asDouble()))));
        }
    }
}
