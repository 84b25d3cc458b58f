package io.hounsfield.cuda;

import io.hounsfield.cuda.internal.DriverLibrary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What GPU work can do, on its device's owner thread only (every method checks; a call from another
 * thread throws {@link IllegalStateException}). Copies, memsets and launches are queued on the
 * device's one stream, in order; {@link #synchronize()} waits for them. Everything created here
 * belongs to the device until closed.
 */
public final class CudaContext {

    private final CudaDevice device;
    private final DriverLibrary driver;
    private final MemorySegment stream;
    private final Set<Resource> open = new LinkedHashSet<>();

    CudaContext(CudaDevice device, DriverLibrary driver, MemorySegment stream) {
        this.device = device;
        this.driver = driver;
        this.stream = stream;
    }

    /** A native object with one owner. */
    abstract static sealed class Resource implements AutoCloseable permits DeviceBuffer, PinnedBuffer, HostRegistration, CudaModule, CudaEvent {
        final CudaContext context;
        private boolean closed;

        Resource(CudaContext context) {
            this.context = context;
        }

        final void checkOpen() {
            if (closed) {
                throw new IllegalStateException(this + " is closed");
            }
        }

        final boolean isClosed() {
            return closed;
        }

        abstract void free();

        /** Frees the native object; from any thread (off the owner thread it waits for the owner). Idempotent. */
        @Override
        public final void close() {
            if (context.device.onOwnerThread()) {
                context.release(this);
            } else {
                context.device.submit(c -> {
                    c.release(this);
                    return null;
                }).exceptionally(t -> null).join();
            }
        }

        final void markClosed() {
            closed = true;
        }
    }

    private void release(Resource r) {
        if (!r.isClosed()) {
            r.markClosed();
            open.remove(r);
            r.free();
        }
    }

    /** Frees everything still open, newest first; returns how many there were. */
    int closeAll() {
        List<Resource> left = new ArrayList<>(open);
        for (int i = left.size() - 1; i >= 0; i--) {
            try {
                release(left.get(i));
            } catch (CudaException ignored) {
                // keep freeing the rest
            }
        }
        try {
            driver.streamDestroy(stream);
        } catch (CudaException ignored) {
            // the context is going away anyway
        }
        return left.size();
    }

    private void onOwner() {
        if (!device.onOwnerThread()) {
            throw new IllegalStateException("CudaContext used off the owner thread of CUDA device " + device.info().ordinal()
                    + " (submit the work with CudaDevice.submit)");
        }
    }

    private <R extends Resource> R track(R r) {
        open.add(r);
        return r;
    }

    public CudaDevice device() {
        return device;
    }

    /** Device memory of {@code bytes} (≥ 1), uninitialised. */
    public DeviceBuffer allocate(long bytes) {
        onOwner();
        if (bytes < 1) {
            throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        }
        return track(new DeviceBuffer(this, driver.memAlloc(bytes), bytes));
    }

    /** Page-locked host memory of {@code bytes} (≥ 1): copies from and to it run at full bus speed. */
    public PinnedBuffer allocatePinned(long bytes) {
        onOwner();
        if (bytes < 1) {
            throw new IllegalArgumentException("pinned allocation of " + bytes + " bytes");
        }
        return track(new PinnedBuffer(this, driver.memHostAlloc(bytes)));
    }

    /**
     * Page-locks {@code host}, native memory the caller allocated and keeps owning (it must outlive the
     * registration: close the registration before freeing it), so copies from and to it run at full bus speed
     * without a staging copy. Closing the registration — or closing the device — unlocks it; the memory stays.
     */
    public HostRegistration register(MemorySegment host) {
        onOwner();
        if (host.byteSize() < 1 || !host.isNative()) {
            throw new IllegalArgumentException("only native memory of at least one byte can be page-locked: " + host);
        }
        driver.memHostRegister(host, DriverLibrary.HOST_REGISTER_PORTABLE);
        return track(new HostRegistration(this, host));
    }

    /** {free, total} device memory in bytes. */
    public long[] memoryInfo() {
        onOwner();
        return driver.memoryInfo();
    }

    /**
     * Queues a copy of {@code src} (native host memory — pinned for an asynchronous copy; heap segments
     * cannot reach the driver) into {@code dst} at {@code dstOffset}. {@code src} must stay valid until
     * {@link #synchronize()}.
     */
    public void copyToDevice(MemorySegment src, DeviceBuffer dst, long dstOffset) {
        onOwner();
        dst.checkRange(dstOffset, src.byteSize());
        driver.copyHostToDevice(dst.address() + dstOffset, src, src.byteSize(), stream);
    }

    /** Queues a copy of {@code dst.byteSize()} bytes from {@code src} at {@code srcOffset} into host memory. */
    public void copyToHost(DeviceBuffer src, long srcOffset, MemorySegment dst) {
        onOwner();
        src.checkRange(srcOffset, dst.byteSize());
        driver.copyDeviceToHost(dst, src.address() + srcOffset, dst.byteSize(), stream);
    }

    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long bytes) {
        onOwner();
        src.checkRange(srcOffset, bytes);
        dst.checkRange(dstOffset, bytes);
        driver.copyDeviceToDevice(dst.address() + dstOffset, src.address() + srcOffset, bytes, stream);
    }

    /** Sets {@code count} bytes from {@code offset} to {@code value}. */
    public void fill8(DeviceBuffer dst, long offset, long count, byte value) {
        onOwner();
        dst.checkRange(offset, count);
        driver.memset8(dst.address() + offset, value, count, stream);
    }

    /** Sets {@code count} 32-bit words from byte {@code offset} (a multiple of 4) to {@code value}. */
    public void fill32(DeviceBuffer dst, long offset, long count, int value) {
        onOwner();
        if (offset % 4 != 0) {
            throw new IllegalArgumentException("32-bit fill at unaligned offset " + offset);
        }
        dst.checkRange(offset, 4 * count);
        driver.memset32(dst.address() + offset, value, count, stream);
    }

    /** Waits until everything queued so far has run; a failed kernel surfaces here. */
    public void synchronize() {
        onOwner();
        driver.streamSynchronize(stream);
    }

    /** Records an event on the stream (for timing with {@link CudaEvent#elapsedMillis}). */
    public CudaEvent record() {
        onOwner();
        CudaEvent e = track(new CudaEvent(this, driver.eventCreate()));
        driver.eventRecord(e.handle(), stream);
        return e;
    }

    /** Loads a fatbin, cubin or PTX image. */
    public CudaModule load(byte[] image) {
        onOwner();
        return track(new CudaModule(this, driver.moduleLoad(image)));
    }

    /**
     * Queues {@code function} on the stream. Arguments, in the kernel's parameter order: {@link DeviceBuffer}
     * (its device pointer), {@code Integer}, {@code Long}, {@code Float}, {@code Double} — the caller's typed
     * launcher is responsible for matching the kernel's C types.
     */
    public void launch(CudaFunction function, Dim3 grid, Dim3 block, int sharedBytes, Object... args) {
        onOwner();
        function.module().checkOpen();
        Object[] values = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof DeviceBuffer b) {
                b.checkOpen();
                values[i] = b.address();
            } else {
                values[i] = args[i];
            }
        }
        try (Arena a = Arena.ofConfined()) {
            driver.launch(function.handle(), grid.toArray(), block.toArray(), sharedBytes, stream, DriverLibrary.kernelParams(a, values));
        }
    }

    DriverLibrary driver() {
        return driver;
    }

    void checkOwner() {
        onOwner();
    }
}
