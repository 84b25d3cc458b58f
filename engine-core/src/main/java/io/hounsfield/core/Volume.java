package io.hounsfield.core;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 3-D image: an immutable {@link Geometry} and its voxels, stored off-heap in one
 * {@link MemorySegment} (x fastest, then y, then z; native byte order) owned by this volume's own
 * {@link Arena}. The volume is the only owner of that memory: {@link #close()} frees it, after which
 * every accessor throws {@link IllegalStateException}.
 *
 * <p>Voxel values may be written (readers and generators fill a fresh volume); the geometry and type
 * never change. Reads and writes of distinct voxels from several threads are safe (shared arena);
 * closing while another thread accesses the volume is not.
 */
public final class Volume implements AutoCloseable {

    /** Volumes allocated and not yet closed, in this process: a leak check, not a cache. */
    private static final AtomicLong LIVE = new AtomicLong();

    /** Volumes of at least this many bytes get whole pages of their own ({@link #pages}). */
    static final long PAGED_BYTES = 64 << 10;
    /** The page size {@link #pages} rounds to (the smallest the platforms we run on use). */
    public static final long PAGE = 4096;

    private final Geometry geometry;
    private final VoxelType type;
    private final Arena arena;
    private final MemorySegment data;
    /** The whole pages holding {@code data} (null for small volumes): this volume's alone, so a device may page-lock them. */
    private final MemorySegment pages;
    private final java.util.List<Runnable> closeHooks = new java.util.ArrayList<>();

    private Volume(Geometry geometry, VoxelType type) {
        this.geometry = Objects.requireNonNull(geometry, "geometry");
        this.type = Objects.requireNonNull(type, "type");
        long bytes = Math.multiplyExact(geometry.extent().voxelCount(), (long) type.bytes());
        this.arena = Arena.ofShared();
        try {
            if (bytes >= PAGED_BYTES) {
                this.pages = arena.allocate(Math.addExact(bytes, PAGE - 1) / PAGE * PAGE, PAGE); // zero-filled
                this.data = pages.asSlice(0, bytes);
            } else {
                this.pages = null;
                this.data = arena.allocate(bytes, Math.max(type.bytes(), 8)); // zero-filled
            }
        } catch (OutOfMemoryError | IllegalArgumentException | ArithmeticException e) {
            arena.close();
            throw e;
        }
        LIVE.incrementAndGet();
    }

    /**
     * How many volumes (masks included) this process has allocated and not closed. Tests compare it
     * before and after to catch leaks; it is not a budget.
     */
    public static long liveCount() {
        return LIVE.get();
    }

    /**
     * Allocates a zero-filled volume.
     *
     * @throws OutOfMemoryError if the off-heap allocation fails
     */
    public static Volume allocate(Geometry geometry, VoxelType type) {
        return new Volume(geometry, type);
    }

    public Geometry geometry() {
        return geometry;
    }

    public Extent extent() {
        return geometry.extent();
    }

    public VoxelType type() {
        return type;
    }

    public long voxelCount() {
        return geometry.extent().voxelCount();
    }

    /** The voxel storage, valid until {@link #close()}; writing to it changes this volume. */
    public MemorySegment segment() {
        return data;
    }

    /** The value at linear index {@code i} ({@code x + nx*(y + ny*z)}), widened to double (exact for every type). */
    public double get(long i) {
        return switch (type) {
            case UINT8 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case INT16 -> data.getAtIndex(ValueLayout.JAVA_SHORT, i);
            case UINT16 -> data.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xFFFF;
            case INT32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
            case FLOAT32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case FLOAT64 -> data.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
        };
    }

    public double get(int x, int y, int z) {
        checkIndex(x, y, z);
        return get(geometry.extent().index(x, y, z));
    }

    /**
     * The value at linear index {@code i} of an integer-typed volume.
     *
     * @throws IllegalStateException if the type is floating point
     */
    public int getInt(long i) {
        return switch (type) {
            case UINT8 -> data.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case INT16 -> data.getAtIndex(ValueLayout.JAVA_SHORT, i);
            case UINT16 -> data.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xFFFF;
            case INT32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
            case FLOAT32, FLOAT64 -> throw new IllegalStateException("getInt on a " + type.id() + " volume");
        };
    }

    /**
     * Stores {@code v} at linear index {@code i}. Integer types round to the nearest integer (ties to
     * even) and saturate at the type's range; NaN stores 0. Float32 rounds to the nearest float.
     */
    public void set(long i, double v) {
        switch (type) {
            case UINT8 -> data.set(ValueLayout.JAVA_BYTE, i, (byte) saturate(v));
            case INT16, UINT16 -> data.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) saturate(v));
            case INT32 -> data.setAtIndex(ValueLayout.JAVA_INT, i, (int) saturate(v));
            case FLOAT32 -> data.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            case FLOAT64 -> data.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
        }
    }

    public void set(int x, int y, int z, double v) {
        checkIndex(x, y, z);
        set(geometry.extent().index(x, y, z), v);
    }

    private long saturate(double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        return (long) Math.rint(Math.min(type.max(), Math.max(type.min(), v)));
    }

    private void checkIndex(int x, int y, int z) {
        if (!geometry.extent().contains(x, y, z)) {
            throw new IndexOutOfBoundsException("voxel (" + x + ", " + y + ", " + z + ") is outside " + geometry.extent());
        }
    }

    /** A new volume of {@code newType} with this volume's geometry and values, converted as {@link #set} does. */
    public Volume convertTo(VoxelType newType) {
        Volume out = allocate(geometry, newType);
        try {
            if (newType == type) {
                out.data.copyFrom(data);
            } else {
                long n = voxelCount();
                for (long i = 0; i < n; i++) {
                    out.set(i, get(i));
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** A copy of the sub-block {@code box} with the cropped geometry ({@link Geometry#crop}). */
    public Volume crop(IndexBox box) {
        Geometry g = geometry.crop(box);
        Volume out = allocate(g, type);
        try {
            Extent src = geometry.extent();
            long rowBytes = (long) (box.x1() - box.x0()) * type.bytes();
            long dst = 0;
            for (int z = box.z0(); z < box.z1(); z++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    MemorySegment.copy(data, src.index(box.x0(), y, z) * type.bytes(), out.data, dst, rowBytes);
                    dst += rowBytes;
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * The whole pages ({@link #PAGE}) holding the voxels — page-aligned, this volume's alone, at least
     * {@link #segment()} long — for a device backend to page-lock; empty for volumes under 64 KiB (their
     * memory may share a page with other allocations).
     */
    public java.util.Optional<MemorySegment> pages() {
        return java.util.Optional.ofNullable(pages);
    }

    /** True until {@link #close()}. */
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    /**
     * Runs {@code hook} when this volume closes, before its memory is freed (a device backend unlocks memory
     * it page-locked). Hooks run in the order added, on the closing thread; one that throws does not stop the
     * others or the freeing.
     *
     * @throws IllegalStateException if the volume is already closed
     */
    public synchronized void onClose(Runnable hook) {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException(this + " is closed");
        }
        closeHooks.add(Objects.requireNonNull(hook, "hook"));
    }

    /** Runs the close hooks, then frees the voxel memory. Idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            RuntimeException failed = null;
            for (Runnable hook : closeHooks) {
                try {
                    hook.run();
                } catch (RuntimeException e) {
                    if (failed == null) {
                        failed = e;
                    } else {
                        failed.addSuppressed(e);
                    }
                }
            }
            closeHooks.clear();
            arena.close();
            LIVE.decrementAndGet();
            if (failed != null) {
                throw failed;
            }
        }
    }

    @Override
    public String toString() {
        return "Volume[" + type.id() + " " + geometry.extent() + ", spacing " + geometry.spacing() + " mm]";
    }
}
