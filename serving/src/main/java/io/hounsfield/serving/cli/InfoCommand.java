package io.hounsfield.serving.cli;

import io.hounsfield.core.backend.BackendAvailability;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.core.io.VolumeSink;
import io.hounsfield.core.io.VolumeSource;
import io.hounsfield.cuda.CudaStatus;
import io.hounsfield.kernels.KernelImage;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.stream.Collectors;

/** {@code hounsfield info}: what this machine offers Hounsfield, and why CUDA is (not) used. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print the JDK, CPU cores, memory, and whether CUDA is usable (and why not).")
final class InfoCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Runtime rt = Runtime.getRuntime();
        BackendAvailability b = BackendAvailability.detect();
        CudaStatus cuda = b.cuda();
        out.println("Hounsfield " + HounsfieldCommand.version());
        row(out, "JDK", Runtime.version() + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("java.home"));
        row(out, "OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        row(out, "CPU cores", String.valueOf(rt.availableProcessors()));
        row(out, "Memory", gib(physicalMemory()) + " physical, " + gib(rt.maxMemory()) + " max heap (off-heap volumes are outside the heap)");
        if (cuda.available()) {
            row(out, "CUDA", "driver " + cuda.driverVersionString() + ", " + cuda.devices().size() + " device(s)");
            for (CudaStatus.Device d : cuda.devices()) {
                row(out, "  device " + d.ordinal(), d.name() + ", sm_" + d.computeMajor() + d.computeMinor() + ", " + gib(d.totalMemoryBytes()));
            }
        } else {
            row(out, "CUDA", "unavailable: " + cuda.reason());
        }
        row(out, "Kernels", KernelImage.status());
        row(out, "Backend", b.chosen() + " (" + b.reason() + ")");
        row(out, "Reads", VolumeFormats.sources().stream().map(VolumeSource::formatName).collect(Collectors.joining(", ")));
        row(out, "Writes", VolumeFormats.sinks().stream().map(VolumeSink::formatName).collect(Collectors.joining(", ")));
        out.flush();
    }

    private static void row(PrintWriter out, String key, String value) {
        out.printf(Locale.ROOT, "  %-10s %s%n", key, value);
    }

    static String gib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }
}
