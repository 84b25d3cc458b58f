package io.hounsfield.core.backend;

import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.CudaStatus;
import io.hounsfield.kernels.KernelImage;

/**
 * Which compute backend a request would run on, and why: CUDA needs the driver ({@code libcuda.so.1}),
 * a device and the kernel fatbin; without all three the engine runs on the CPU and says which is missing.
 *
 * @param cuda          what the driver probe found
 * @param kernelsBuilt  whether this build carries the kernel fatbin
 * @param cudaUsable    true if all three are present
 * @param chosen        the backend {@code --backend auto} picks
 * @param reason        one line: why CUDA is (not) used
 */
public record BackendAvailability(CudaStatus cuda, boolean kernelsBuilt, boolean cudaUsable, String chosen, String reason) {

    /** Probes the driver (once per process) and the kernel resource. */
    public static BackendAvailability detect() {
        return of(CudaDriver.status(), KernelImage.isBuilt());
    }

    static BackendAvailability of(CudaStatus cuda, boolean kernelsBuilt) {
        if (!cuda.available()) {
            return new BackendAvailability(cuda, kernelsBuilt, false, "cpu", "CUDA unavailable: " + cuda.reason());
        }
        if (!kernelsBuilt) {
            return new BackendAvailability(cuda, false, false, "cpu", "CUDA unavailable: " + KernelImage.NOT_BUILT);
        }
        return new BackendAvailability(cuda, true, true, "cuda", "CUDA usable (" + cuda.reason() + ")");
    }
}
