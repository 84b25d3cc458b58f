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
    NO_DEVICE(100),
    INVALID_DEVICE(101),
    DEVICE_NOT_LICENSED(102),
    CALL_REQUIRES_NEWER_DRIVER(36),
    DEVICE_UNAVAILABLE(46),
    INVALID_IMAGE(200),
    INVALID_CONTEXT(201),
    NO_BINARY_FOR_GPU(209),
    ECC_UNCORRECTABLE(214),
    INVALID_PTX(218),
    NVLINK_UNCORRECTABLE(220),
    JIT_COMPILER_NOT_FOUND(221),
    CONTAINED(226),
    UNSUPPORTED_PTX_VERSION(222),
    INVALID_SOURCE(300),
    FILE_NOT_FOUND(301),
    INVALID_HANDLE(400),
    NOT_FOUND(500),
    NOT_READY(600),
    ILLEGAL_ADDRESS(700),
    LAUNCH_OUT_OF_RESOURCES(701),
    LAUNCH_TIMEOUT(702),
    CONTEXT_IS_DESTROYED(709),
    HOST_MEMORY_ALREADY_REGISTERED(712),
    HOST_MEMORY_NOT_REGISTERED(713),
    ASSERT(710),
    HARDWARE_STACK_ERROR(714),
    ILLEGAL_INSTRUCTION(715),
    MISALIGNED_ADDRESS(716),
    INVALID_ADDRESS_SPACE(717),
    INVALID_PC(718),
    LAUNCH_FAILED(719),
    TENSOR_MEMORY_LEAK(721),
    NOT_PERMITTED(800),
    NOT_SUPPORTED(801),
    SYSTEM_NOT_READY(802),
    SYSTEM_DRIVER_MISMATCH(803),
    COMPAT_NOT_SUPPORTED_ON_DEVICE(804),
    MPS_CLIENT_TERMINATED(810),
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
     * True for errors after which the context is unusable: those cuda.h describes with "the process
     * must be terminated and relaunched" (an illegal address, a failed launch, ...), a device-side
     * assert ("the context cannot be used anymore, and must be destroyed"), and uncorrectable ECC or
     * NVLink errors (hardware state no one should compute on).
     */
    public boolean isSticky() {
        return switch (this) {
            case CONTAINED, ILLEGAL_ADDRESS, LAUNCH_TIMEOUT, HARDWARE_STACK_ERROR, ILLEGAL_INSTRUCTION, MISALIGNED_ADDRESS,
                 INVALID_ADDRESS_SPACE, INVALID_PC, LAUNCH_FAILED, TENSOR_MEMORY_LEAK, MPS_CLIENT_TERMINATED,
                 ASSERT, ECC_UNCORRECTABLE, NVLINK_UNCORRECTABLE -> true;
            default -> false;
        };
    }
}
