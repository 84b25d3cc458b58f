package io.hounsfield.benchmarks.device;

import io.hounsfield.cuda.testing.FakeCuda;
import io.hounsfield.kernels.KernelImage;
import io.hounsfield.kernels.testing.KernelEmulator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device harness's benchmarks ({@link GpuCheck}) run through once on the fake driver with the kernels
 * emulated, on small volumes: every section and every row a GPU run prints is produced here first, so a
 * lent device's few minutes are not lost to a harness bug, and each radiomics run's features (the benchmark
 * volume's anatomy, scaled) must equal the CPU backend's. Its times mean nothing.
 */
class GpuCheckDryRunTest {

    @Test
    void everySectionRunsAndTheFeaturesAreTheCpus() {
        assumeTrue(KernelImage.isBuilt(), KernelImage.status());
        String emulator = KernelEmulator.library().orElse(null);
        assumeTrue(emulator != null, KernelEmulator.unavailableReason()); // in CI the emulator must build: library() throws there
        FakeCuda.reset();
        FakeCuda.useEmulator(emulator);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int code = GpuCheck.run(new GpuCheck.Plan(FakeCuda.library(), 40, 24, 12, 128, 32, 40, 1, true),
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(code).as(text).isZero();
        assertThat(text).doesNotContain("FAILED", "DIFFER");
        assertThat(text).contains("upload host→device (pinned)", "copy device→device (ceiling)", "label bounds (mask scan)",
                "weighted row sums (thread per row)", "resample trilinear to 1 mm", "e2e bounding box, mask kept",
                "e2e moments, image kept on device", "CudaBackend metrics after radiomics");
        for (String run : new String[] {"lesion", "organ", "lesion, kept", "organ, kept", "lesion, 1 mm", "lesion, 1 mm, kept"}) {
            assertThat(text).containsPattern("features, all families, " + run + " +128x128x32 .*values bit-identical");
        }
        assertThat(text).containsPattern("request: upload \\(pageable\\) \\+ all families, lesion +128x128x40 .*values bit-identical");
        assertThat(text).containsPattern("page-lock image \\+ mask \\(once\\) +128x128x40 .*cuMemHostRegister");
        assertThat(text).containsPattern("request: upload \\(pinned\\) \\+ all families, lesion +128x128x40 .*target <= 20 ms.*values bit-identical");
        assertThat(text).contains("device: ", "texture grid");
    }
}
