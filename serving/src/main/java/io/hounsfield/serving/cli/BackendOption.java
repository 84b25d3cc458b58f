package io.hounsfield.serving.cli;

import io.hounsfield.core.backend.Backends;
import io.hounsfield.core.backend.CpuBackend;
import picocli.CommandLine.Option;

/** {@code --backend cpu|cuda|auto}: shared by the commands that compute. */
final class BackendOption {

    @Option(names = "--backend", paramLabel = "cpu|cuda|auto", defaultValue = "auto",
            description = "Where voxel work runs: cpu, cuda (an error if CUDA is not usable), or auto (CUDA when usable, else the CPU; default).")
    String backend;

    Backends.Selected open(CpuBackend cpu) {
        return Backends.open(Backends.Choice.parse(backend), cpu);
    }
}
