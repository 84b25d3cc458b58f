package io.hounsfield.cuda;

import java.util.List;

/**
 * Whether the CUDA driver can be used in this process, and if not, why.
 *
 * @param available     true if libcuda.so.1 loaded, cuInit succeeded and at least one device exists
 * @param reason        why CUDA is unavailable, or a one-line summary when it is available
 * @param driverVersion the driver API version (e.g. 13000 for CUDA 13.0), or 0 if unknown
 * @param devices       the devices the driver reports (empty when unavailable)
 */
public record CudaStatus(boolean available, String reason, int driverVersion, List<Device> devices) {

    public CudaStatus {
        devices = List.copyOf(devices);
    }

    /** One CUDA device as the driver describes it. */
    public record Device(int ordinal, String name, long totalMemoryBytes, int computeMajor, int computeMinor) {
    }

    /** "13.0" for 13000. */
    public String driverVersionString() {
        return driverVersion == 0 ? "unknown" : driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }
}
