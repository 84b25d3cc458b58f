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
    void detectNeverThrows() {
        BackendAvailability b = BackendAvailability.detect();
        assertThat(b.reason()).isNotBlank();
    }
}
