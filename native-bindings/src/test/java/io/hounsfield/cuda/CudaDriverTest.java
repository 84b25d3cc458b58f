package io.hounsfield.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import static org.assertj.core.api.Assertions.assertThat;

class CudaDriverTest {

    @Test
    void aMissingDriverIsReportedNotThrown() {
        CudaStatus s = CudaDriver.probe("libcuda-that-does-not-exist.so.1");
        assertThat(s.available()).isFalse();
        assertThat(s.reason()).contains("libcuda-that-does-not-exist.so.1 not found");
        assertThat(s.devices()).isEmpty();
    }

    @Test
    void aLibraryThatIsNotTheDriverIsReported() {
        // libc loads but has no cuInit: the probe must say so rather than fail.
        CudaStatus s = CudaDriver.probe("libc.so.6");
        assertThat(s.available()).isFalse();
        assertThat(s.reason()).contains("not a usable CUDA driver").contains("cuInit");
    }

    @Test
    void statusOfThisMachineIsConsistent() {
        CudaStatus s = CudaDriver.status();
        assertThat(s.reason()).isNotBlank();
        assertThat(s.available()).isEqualTo(!s.devices().isEmpty());
    }

    static boolean cudaPresent() {
        return CudaDriver.status().available();
    }

    @Test
    @EnabledIf(value = "cudaPresent", disabledReason = "no CUDA driver or device on this machine")
    void devicesHaveNamesMemoryAndComputeCapability() {
        for (CudaStatus.Device d : CudaDriver.status().devices()) {
            assertThat(d.name()).isNotBlank();
            assertThat(d.totalMemoryBytes()).isPositive();
            assertThat(d.computeMajor()).isGreaterThanOrEqualTo(3);
        }
        assertThat(CudaDriver.status().driverVersion()).isGreaterThanOrEqualTo(11000);
    }

    @Test
    void errorCodesMapToTheDriverEnum() {
        assertThat(CudaError.of(100)).isEqualTo(CudaError.NO_DEVICE);
        assertThat(CudaError.of(700).isSticky()).isTrue();
        assertThat(CudaError.of(2).isSticky()).isFalse();
        assertThat(CudaError.of(12345)).isEqualTo(CudaError.UNKNOWN_CODE);
        CudaException e = new CudaException("cuMemAlloc_v2", 2, "CUDA_ERROR_OUT_OF_MEMORY");
        assertThat(e.error()).isEqualTo(CudaError.OUT_OF_MEMORY);
        assertThat(e).hasMessageContaining("cuMemAlloc_v2").hasMessageContaining("CUDA_ERROR_OUT_OF_MEMORY");
    }
}
