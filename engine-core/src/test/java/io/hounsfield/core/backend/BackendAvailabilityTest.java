package io.hounsfield.core.backend;

import io.hounsfield.cuda.CudaStatus;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BackendAvailabilityTest {

    private static final CudaStatus NO_DRIVER = new CudaStatus(false, "libcuda.so.1 not found", 0, List.of());
    private static final CudaStatus ONE_GPU = new CudaStatus(true, "1 device(s)", 13000,
            List.of(new CudaStatus.Device(0, "NVIDIA H200", 141L << 30, 9, 0)));

    @Test
    void withoutADriverTheCpuRunsAndTheReasonIsTheDrivers() {
        BackendAvailability b = BackendAvailability.of(NO_DRIVER, true);
        assertThat(b.chosen()).isEqualTo("cpu");
        assertThat(b.cudaUsable()).isFalse();
        assertThat(b.reason()).contains("libcuda.so.1 not found");
    }

    @Test
    void aDeviceWithoutKernelsStillRunsOnTheCpuAndSaysWhy() {
        BackendAvailability b = BackendAvailability.of(ONE_GPU, false);
        assertThat(b.chosen()).isEqualTo("cpu");
        assertThat(b.reason()).contains("kernels not built");
    }

    @Test
    void driverDeviceAndKernelsTogetherChooseCuda() {
        BackendAvailability b = BackendAvailability.of(ONE_GPU, true);
        assertThat(b.chosen()).isEqualTo("cuda");
        assertThat(b.cudaUsable()).isTrue();
    }

    @Test
    void theCpuIsAlwaysThereAndCudaIsRefusedWithTheReasonWhereItIsMissing() {
        CpuBackend cpu = CpuBackend.sequential();
        try (Backends.Selected s = Backends.open(Backends.Choice.CPU, cpu)) {
            assertThat(s.backend()).isSameAs(cpu);
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(BackendAvailability.detect().cudaUsable(), "this machine has CUDA");
        try (Backends.Selected s = Backends.open(Backends.Choice.AUTO, cpu)) {
            assertThat(s.backend()).isSameAs(cpu);
            assertThat(s.reason()).isEqualTo(BackendAvailability.detect().reason());
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Backends.open(Backends.Choice.CUDA, cpu))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("--backend cuda: CUDA unavailable");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Backends.Choice.parse("gpu"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu, cuda or auto");
    }

    @Test
    void detectNeverThrows() {
        BackendAvailability b = BackendAvailability.detect();
        assertThat(b.reason()).isNotBlank();
    }
}
