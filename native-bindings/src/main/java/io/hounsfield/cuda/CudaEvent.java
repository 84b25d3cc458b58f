package io.hounsfield.cuda;

import java.lang.foreign.MemorySegment;

/** A point recorded on the device's stream, for timing GPU work. */
public final class CudaEvent extends CudaContext.Resource {

    private final MemorySegment handle;

    CudaEvent(CudaContext context, MemorySegment handle) {
        super(context);
        this.handle = handle;
    }

    MemorySegment handle() {
        checkOpen();
        return handle;
    }

    /** Milliseconds of GPU time from {@code start} to this event, once both have completed (waits for this one). */
    public float elapsedMillisSince(CudaEvent start) {
        context.checkOwner();
        context.driver().eventSynchronize(handle());
        return context.driver().eventElapsed(start.handle(), handle());
    }

    /** Waits until the work queued before this event has run. */
    public void synchronize() {
        context.checkOwner();
        context.driver().eventSynchronize(handle());
    }

    @Override
    void free() {
        context.driver().eventDestroy(handle);
    }

    @Override
    public String toString() {
        return "CudaEvent";
    }
}
