package io.hounsfield.cuda;

import io.hounsfield.cuda.internal.DriverLibrary;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One CUDA device, driven by one owner thread: the device's primary context is current on that
 * platform thread only (contexts are per OS thread, and virtual threads migrate), and every piece of
 * GPU work is a {@link DeviceWork} submitted to it; callers get futures. The device owns what is
 * created through its {@link CudaContext} — buffers, pinned memory, modules, events — and
 * {@link #close()} frees whatever is still open.
 *
 * <p>A sticky error (an illegal address, a failed launch: {@link CudaError#isSticky()}) leaves the
 * context unusable for the rest of the process; the device then refuses new work with a
 * {@link CudaException} carrying that first error, so callers can fall back to the CPU.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread.
 */
public final class CudaDevice implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CudaDevice.class);

    private final DriverLibrary driver;
    private final CudaStatus.Device info;
    private final int handle;
    private final ExecutorService owner;
    private final Thread ownerThread;
    private final CudaContext context;
    private volatile CudaException sticky;
    private volatile boolean closed;

    private CudaDevice(DriverLibrary driver, int ordinal) {
        this.driver = driver;
        Thread[] t = new Thread[1];
        this.owner = Executors.newSingleThreadExecutor(r -> {
            Thread th = Thread.ofPlatform().daemon().name("cuda-device-" + ordinal).unstarted(r);
            t[0] = th;
            return th;
        });
        try {
            // The context is retained and made current on the owner thread, once, before any other work.
            Object[] made = owner.submit(() -> {
                driver.init();
                int dev = driver.deviceHandle(ordinal);
                CudaStatus.Device d = driver.device(ordinal);
                MemorySegment ctx = driver.primaryContextRetain(dev);
                try {
                    driver.contextSetCurrent(ctx);
                    MemorySegment stream = driver.streamCreate(DriverLibrary.STREAM_NON_BLOCKING);
                    return new Object[] {dev, d, stream};
                } catch (RuntimeException e) {
                    driver.primaryContextRelease(dev);
                    throw e;
                }
            }).get();
            this.handle = (int) made[0];
            this.info = (CudaStatus.Device) made[1];
            this.ownerThread = t[0];
            this.context = new CudaContext(this, driver, (MemorySegment) made[2]);
        } catch (java.util.concurrent.ExecutionException e) {
            owner.shutdownNow();
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("opening CUDA device " + ordinal, e.getCause());
        } catch (InterruptedException e) {
            owner.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening CUDA device " + ordinal, e);
        }
    }

    /** Opens device {@code ordinal} through {@code library}. */
    static CudaDevice open(String library, int ordinal) {
        return new CudaDevice(DriverLibrary.load(library), ordinal);
    }

    /** Name, memory and compute capability. */
    public CudaStatus.Device info() {
        return info;
    }

    /**
     * Runs {@code work} on the owner thread. The future fails with the work's exception; once a sticky
     * error has happened, or after {@link #close()}, it fails at once.
     */
    public <T> CompletableFuture<T> submit(DeviceWork<T> work) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("CUDA device " + info.ordinal() + " is closed"));
        }
        CudaException s = sticky;
        if (s != null) {
            return CompletableFuture.failedFuture(unusable(s));
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            owner.execute(() -> {
                CudaException before = sticky;
                if (before != null) {
                    f.completeExceptionally(unusable(before));
                    return;
                }
                try {
                    f.complete(work.run(context));
                } catch (CudaException e) {
                    if (e.error().isSticky() && sticky == null) {
                        sticky = e;
                        LOG.error("CUDA device {} is unusable from now on: {}", info.ordinal(), e.getMessage());
                    }
                    f.completeExceptionally(e);
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            f.completeExceptionally(new IllegalStateException("CUDA device " + info.ordinal() + " is closed"));
        }
        return f;
    }

    private CudaException unusable(CudaException first) {
        return new CudaException("CUDA device " + info.ordinal() + " is unusable after " + first.getMessage(), first.code(), first.error());
    }

    /** The sticky error that made this device unusable, if one happened. */
    public Optional<CudaException> stickyError() {
        return Optional.ofNullable(sticky);
    }

    /** True while the device accepts work. */
    public boolean usable() {
        return !closed && sticky == null;
    }

    boolean onOwnerThread() {
        return Thread.currentThread() == ownerThread;
    }

    /**
     * Frees what is still open (with a warning naming how much), destroys the stream, releases the
     * primary context and stops the owner thread. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            owner.submit(() -> {
                int leaked = context.closeAll();
                if (leaked > 0) {
                    LOG.warn("closing CUDA device {}: freed {} resource(s) still open", info.ordinal(), leaked);
                }
                try {
                    driver.primaryContextRelease(handle);
                } catch (CudaException e) {
                    LOG.warn("releasing the primary context of CUDA device {}: {}", info.ordinal(), e.getMessage());
                }
                return null;
            }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("closing CUDA device {}: {}", info.ordinal(), e.toString());
        } finally {
            owner.shutdownNow();
        }
    }
}
