package io.hounsfield.cuda;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/** A loaded kernel image; its functions are valid while it is open. */
public final class CudaModule extends CudaContext.Resource {

    private final MemorySegment handle;
    private final Map<String, CudaFunction> functions = new HashMap<>();

    CudaModule(CudaContext context, MemorySegment handle) {
        super(context);
        this.handle = handle;
    }

    /** The kernel {@code name} (its {@code extern "C"} name), looked up once. */
    public CudaFunction function(String name) {
        context.checkOwner();
        checkOpen();
        return functions.computeIfAbsent(name, n -> new CudaFunction(this, n, context.driver().moduleFunction(handle, n)));
    }

    @Override
    void free() {
        context.driver().moduleUnload(handle);
    }

    @Override
    public String toString() {
        return "CudaModule";
    }
}
