package io.hounsfield.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Host memory page-locked by {@code cuMemHostRegister} ({@link CudaContext#register}): the caller owns the
 * memory; closing this unlocks it (before the memory is freed).
 */
public final class HostRegistration extends CudaContext.Resource {

    private final MemorySegment memory;

    HostRegistration(CudaContext context, MemorySegment memory) {
        super(context);
        this.memory = memory;
    }

    /** The page-locked memory (valid as long as its owner keeps it). */
    public MemorySegment memory() {
        checkOpen();
        return memory;
    }

    @Override
    void free() {
        context.driver().memHostUnregister(memory);
    }

    @Override
    public String toString() {
        return "HostRegistration[" + memory.byteSize() + " bytes]";
    }
}
