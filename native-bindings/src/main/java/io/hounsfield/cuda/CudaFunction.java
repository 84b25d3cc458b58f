package io.hounsfield.cuda;

import java.lang.foreign.MemorySegment;

/** A kernel of a loaded {@link CudaModule}. */
public record CudaFunction(CudaModule module, String name, MemorySegment handle) {
}
