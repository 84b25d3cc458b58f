package io.hounsfield.benchmarks;

import io.hounsfield.core.Volume;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load harness's short, bounded run for CI (the real runs are {@code benchmarks/scripts/load.sh}): a
 * server in this JVM, two clients for a second and a half per RPC kind. Checks what the harness reports,
 * not how fast anything is.
 */
class LoadHarnessTest {

    private static LoadHarness run(String rpc) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        LoadHarness h = new LoadHarness(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int code = new CommandLine(h).setCaseInsensitiveEnumValuesAllowed(true).execute("--in-process", "--rpc", rpc, "--concurrency", "2",
                "--duration", "1.5", "--warmup", "0.3", "--baseline-runs", "2", "--server-max-concurrent", "2");
        String text = buf.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("calls/s", "p99", "errors by code: none", "over in-process", "process_resident_memory_bytes");
        return h;
    }

    @Test
    void cachedVolumeExtractionUnderLoadReportsLatencyMemoryAndNoErrors() {
        long open = Volume.liveCount();
        LoadHarness.Report r = run("extract").report;
        assertThat(r.ok()).isPositive();
        assertThat(r.errors()).isEmpty();
        assertThat(r.p50()).isPositive().isLessThanOrEqualTo(r.p90());
        assertThat(r.p90()).isLessThanOrEqualTo(r.p99());
        assertThat(r.p99()).isLessThanOrEqualTo(r.max());
        assertThat(r.inProcessMedianMs()).isPositive();
        // ExtractFeatures reports its own extraction time: the overhead is a real, smaller number.
        assertThat(r.overheadMedianMs()).isFinite().isLessThan(r.oneClientMedianMs());
        assertThat(r.before().get("process_resident_memory_bytes")).isPositive();
        // The two uploaded volumes are stored during the load; nothing else stays open.
        assertThat(r.after().get("hounsfield_stored_volume_bytes")).isEqualTo(512.0 * 512 * 128 * 3);
        assertThat(r.after().get("hounsfield_open_volumes")).isEqualTo(r.before().get("hounsfield_open_volumes"));
        assertThat(Volume.liveCount()).isEqualTo(open);
    }

    @Test
    void kserveInferenceUnderLoad() {
        LoadHarness.Report r = run("infer").report;
        assertThat(r.ok()).isPositive();
        assertThat(r.overheadMedianMs()).isNaN();
        assertThat(r.after().get("hounsfield_stored_volume_bytes")).isZero();
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(LoadHarness.pct(v, 50)).isEqualTo(5);
        assertThat(LoadHarness.pct(v, 90)).isEqualTo(9);
        assertThat(LoadHarness.pct(v, 99)).isEqualTo(10);
        assertThat(LoadHarness.median(new double[] {3, 1, 2, 10})).isEqualTo(2.5);
    }
}
