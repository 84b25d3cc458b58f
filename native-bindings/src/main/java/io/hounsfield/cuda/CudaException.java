package io.hounsfield.cuda;

/** A CUDA driver call failed; {@link #error()} is the driver's result code. */
public class CudaException extends RuntimeException {

    private final CudaError error;
    private final int code;

    public CudaException(String call, int code, String driverName) {
        super(call + " failed: " + driverName + " (" + code + ")");
        this.error = CudaError.of(code);
        this.code = code;
    }

    /** A failure reported on behalf of an earlier one (e.g. work refused after a sticky error). */
    public CudaException(String message, int code, CudaError error) {
        super(message);
        this.error = error;
        this.code = code;
    }

    public CudaError error() {
        return error;
    }

    /** The raw {@code CUresult}, also for codes {@link CudaError} does not name. */
    public int code() {
        return code;
    }
}
