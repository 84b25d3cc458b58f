package io.hounsfield.cuda;

/**
 * CUDA driver API result codes ({@code CUresult} in cuda.h). Codes this enum does not name map to
 * {@link #UNKNOWN_CODE}; the exception message still carries the number and the driver's own name.
 */
public enum CudaError {
    SUCCESS(0),
    INVALID_VALUE(1),
    OUT_OF_MEMORY(2),
    NOT_INITIALIZED(3),
    DEINITIALIZED(4),
    STUB_LIBRARY(34),
    INSUFFICIENT_DRIVER(35),
    NO_DEVICE(100),
    INVALID_DEVICE(101),
    DEVICE_NOT_LICENSED(102),
    INVALID_IMAGE(200),
    INVALID_CONTEXT(201),
    NO_BINARY_FOR_GPU(209),
    UNSUPPORTED_PTX_VERSION(222),
    INVALID_SOURCE(300),
    FILE_NOT_FOUND(301),
    INVALID_HANDLE(400),
    NOT_FOUND(500),
    NOT_READY(600),
    ILLEGAL_ADDRESS(700),
    LAUNCH_OUT_OF_RESOURCES(701),
    LAUNCH_TIMEOUT(702),
    LAUNCH_FAILED(719),
    NOT_PERMITTED(800),
    NOT_SUPPORTED(801),
    SYSTEM_NOT_READY(802),
    SYSTEM_DRIVER_MISMATCH(803),
    COMPAT_NOT_SUPPORTED_ON_DEVICE(804),
    UNKNOWN(999),
    /** A code this enum does not list. */
    UNKNOWN_CODE(-1);

    private final int code;

    CudaError(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static CudaError of(int code) {
        for (CudaError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return UNKNOWN_CODE;
    }

    /**
     * True for errors after which the CUDA context is unusable for the life of the process
     * (cuda.h: "the context cannot be used ... must terminate and relaunch").
     */
    public boolean isSticky() {
        return this == ILLEGAL_ADDRESS || this == LAUNCH_FAILED || this == LAUNCH_TIMEOUT;
    }
}
