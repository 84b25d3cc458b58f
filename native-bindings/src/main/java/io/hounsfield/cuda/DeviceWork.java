package io.hounsfield.cuda;

/** GPU work, run on a device's owner thread with its {@link CudaContext}. */
@FunctionalInterface
public interface DeviceWork<T> {
    T run(CudaContext context) throws Exception;
}
