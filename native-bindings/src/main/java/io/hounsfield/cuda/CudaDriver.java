package io.hounsfield.cuda;

import io.hounsfield.cuda.internal.DriverLibrary;

/**
 * Entry point to the CUDA driver. The driver library is loaded lazily, on the first call, through FFM;
 * on a machine without a driver or device nothing fails: {@link #status()} says why CUDA is unavailable.
 */
public final class CudaDriver {

    /** The soname the NVIDIA driver installs; the unversioned libcuda.so is only a link-time stub. */
    public static final String LIBRARY = "libcuda.so.1";

    private CudaDriver() {
    }

    /**
     * The driver library this process uses: {@value #LIBRARY}, or the system property
     * {@code hounsfield.cuda.library} (a path or soname; tests and odd installs).
     */
    public static String library() {
        return System.getProperty("hounsfield.cuda.library", LIBRARY);
    }

    private static final class Holder {
        static final CudaStatus STATUS = DriverLibrary.probe(library());
    }

    /** Loads the driver once per process and reports what it found. Never throws. */
    public static CudaStatus status() {
        return Holder.STATUS;
    }

    /** Probes a given driver library name, without caching (for tests and diagnostics). */
    public static CudaStatus probe(String library) {
        return DriverLibrary.probe(library);
    }

    /**
     * Opens device {@code ordinal} of the installed driver: retains its primary context and starts its
     * owner thread. The caller owns the device and closes it.
     *
     * @throws IllegalStateException if the driver cannot be loaded
     * @throws CudaException         if the driver refuses (no such device, ...)
     */
    public static CudaDevice open(int ordinal) {
        return CudaDevice.open(library(), ordinal);
    }

    /** As {@link #open(int)}, through another driver library (tests use a fake driver). */
    public static CudaDevice open(String library, int ordinal) {
        return CudaDevice.open(library, ordinal);
    }
}
