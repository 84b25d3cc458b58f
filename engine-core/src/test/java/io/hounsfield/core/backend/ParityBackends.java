package io.hounsfield.core.backend;

import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.testing.FakeCuda;
import io.hounsfield.kernels.KernelImage;
import io.hounsfield.kernels.testing.KernelEmulator;

/**
 * Where the GPU parity tests run: on a CUDA device when there is one (the device harness), otherwise on the
 * fake driver with the kernels emulated on the CPU ({@link KernelEmulator}: each kernel's own code, run
 * thread by thread), so every build checks the kernels' logic against the CPU backend. The emulator proves
 * neither the GPU's memory model nor its speed: the device harness still has to run them.
 */
public final class ParityBackends {

    private ParityBackends() {
    }

    public static boolean gpu() {
        return CudaDriver.status().available() && KernelImage.isBuilt();
    }

    /** True when the parity tests can run here: a GPU, or the kernels built and the emulator buildable. */
    public static boolean available() {
        return gpu() || (KernelImage.isBuilt() && KernelEmulator.library().isPresent());
    }

    /** "GPU" or "emulated kernels". */
    public static String where() {
        return gpu() ? "GPU" : "emulated kernels";
    }

    /** A CUDA backend on the device, or on the fake driver running the emulated kernels (poisoned outputs either way). */
    public static CudaBackend open(CpuBackend cpu) {
        if (gpu()) {
            return CudaBackend.open(CudaDriver.library(), 0, cpu, CudaBackend.DEFAULT_BUDGET_FRACTION, true);
        }
        FakeCuda.reset();
        FakeCuda.useEmulator(KernelEmulator.library().orElseThrow());
        return CudaBackend.open(FakeCuda.library(), 0, cpu, CudaBackend.DEFAULT_BUDGET_FRACTION, true);
    }
}
