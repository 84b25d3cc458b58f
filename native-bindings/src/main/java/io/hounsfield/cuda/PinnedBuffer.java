package io.hounsfield.cuda;

import java.lang.foreign.MemorySegment;

/** Page-locked host memory from {@code cuMemHostAlloc}, as a {@link MemorySegment} of its exact size. */
public final class PinnedBuffer extends CudaContext.Resource {

    private final MemorySegment segment;

    PinnedBuffer(CudaContext context, MemorySegment segment) {
        super(context);
        this.segment = segment;
    }

    /** The memory; valid until {@link #close()} (do not keep slices of it beyond that). */
    public MemorySegment segment() {
        checkOpen();
        return segment;
    }

    @Override
    void free() {
        context.driver().memFreeHost(segment);
    }

    @Override
    public String toString() {
        return "PinnedBuffer[" + segment.byteSize() + " bytes]";
    }
}
