package io.hounsfield.cuda;

/** Device memory from {@code cuMemAlloc}: an address and a size. Closed once, by its owner. */
public final class DeviceBuffer extends CudaContext.Resource {

    private final long address;
    private final long bytes;

    DeviceBuffer(CudaContext context, long address, long bytes) {
        super(context);
        this.address = address;
        this.bytes = bytes;
    }

    /** The {@code CUdeviceptr}. */
    public long address() {
        checkOpen();
        return address;
    }

    public long byteSize() {
        return bytes;
    }

    void checkRange(long offset, long length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset > bytes - length) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + length) + ") outside a device buffer of " + bytes);
        }
    }

    @Override
    void free() {
        context.driver().memFree(address);
    }

    @Override
    public String toString() {
        return "DeviceBuffer[" + bytes + " bytes]";
    }
}
