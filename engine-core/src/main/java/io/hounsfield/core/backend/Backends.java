package io.hounsfield.core.backend;

import java.util.Locale;

/** Opens the backend a request runs on — {@code --backend cpu|cuda|auto} — and says why. */
public final class Backends {

    private Backends() {
    }

    public enum Choice {
        /** The CPU backend. */
        CPU,
        /** The CUDA backend; an error if CUDA is not usable. */
        CUDA,
        /** CUDA when usable, else the CPU, saying why. */
        AUTO;

        /** "cpu", "cuda" or "auto", any case. */
        public static Choice parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--backend must be cpu, cuda or auto, got '" + s + "'");
            }
        }
    }

    /**
     * The opened backend and why it was chosen. Closing it closes a CUDA backend's device; the CPU
     * backend's executor belongs to the caller.
     */
    public record Selected(ComputeBackend backend, String reason) implements AutoCloseable {
        @Override
        public void close() {
            if (backend instanceof CudaBackend c) {
                c.close();
            }
        }
    }

    /**
     * @param cpu the CPU backend (used as is for {@code cpu}, and by the CUDA backend for what has no kernel)
     * @throws IllegalStateException for {@code cuda} when CUDA is not usable, naming why
     */
    public static Selected open(Choice choice, CpuBackend cpu) {
        if (choice == Choice.CPU) {
            return new Selected(cpu, "asked for the CPU");
        }
        BackendAvailability a = BackendAvailability.detect();
        if (!a.cudaUsable()) {
            if (choice == Choice.CUDA) {
                throw new IllegalStateException("--backend cuda: " + a.reason());
            }
            return new Selected(cpu, a.reason());
        }
        try {
            CudaBackend c = CudaBackend.open(cpu);
            return new Selected(c, "CUDA on " + c.device().name());
        } catch (RuntimeException e) {
            if (choice == Choice.CUDA) {
                throw new IllegalStateException("--backend cuda: the CUDA backend did not start: " + e.getMessage(), e);
            }
            return new Selected(cpu, "the CUDA backend did not start (" + e.getMessage() + "); running on the CPU");
        }
    }
}
