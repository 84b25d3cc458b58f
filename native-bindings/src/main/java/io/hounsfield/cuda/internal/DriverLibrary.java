package io.hounsfield.cuda.internal;

import io.hounsfield.cuda.CudaError;
import io.hounsfield.cuda.CudaException;
import io.hounsfield.cuda.CudaStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FFM downcalls into the CUDA driver API: the only place that touches {@code java.lang.foreign} for
 * CUDA (STYLE.md). Versioned symbols are bound by their explicit names ({@code cuMemAlloc_v2}), since
 * the unversioned names in cuda.h are macros; the per-thread-default-stream variants ({@code _ptsz})
 * are not used — Hounsfield launches on streams it creates. Every typed method checks the result and
 * throws {@link CudaException} naming the call. Handles ({@code CUcontext}, {@code CUstream}, ...) are
 * {@link MemorySegment} addresses; device pointers ({@code CUdeviceptr}) are {@code long}.
 */
public final class DriverLibrary {

    private static final ValueLayout I32 = ValueLayout.JAVA_INT;
    private static final ValueLayout I64 = ValueLayout.JAVA_LONG;
    private static final ValueLayout U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout F32 = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;

    /** Every symbol bound, with its C signature as FFM sees it (result first); checked against cuda.h by a test. */
    public static final Map<String, FunctionDescriptor> SIGNATURES;

    static {
        Map<String, FunctionDescriptor> s = new LinkedHashMap<>();
        s.put("cuInit", fn(I32));
        s.put("cuDriverGetVersion", fn(PTR));
        s.put("cuDeviceGetCount", fn(PTR));
        s.put("cuDeviceGet", fn(PTR, I32));
        s.put("cuDeviceGetName", fn(PTR, I32, I32));
        s.put("cuDeviceTotalMem_v2", fn(PTR, I32));
        s.put("cuDeviceGetAttribute", fn(PTR, I32, I32));
        s.put("cuGetErrorName", fn(I32, PTR));
        s.put("cuGetErrorString", fn(I32, PTR));
        s.put("cuDevicePrimaryCtxRetain", fn(PTR, I32));
        s.put("cuDevicePrimaryCtxRelease_v2", fn(I32));
        s.put("cuCtxSetCurrent", fn(PTR));
        s.put("cuMemGetInfo_v2", fn(PTR, PTR));
        s.put("cuStreamCreate", fn(PTR, I32));
        s.put("cuStreamDestroy_v2", fn(PTR));
        s.put("cuStreamSynchronize", fn(PTR));
        s.put("cuEventCreate", fn(PTR, I32));
        s.put("cuEventRecord", fn(PTR, PTR));
        s.put("cuEventSynchronize", fn(PTR));
        s.put("cuEventElapsedTime_v2", fn(PTR, PTR, PTR));
        s.put("cuEventDestroy_v2", fn(PTR));
        s.put("cuMemAlloc_v2", fn(PTR, I64));
        s.put("cuMemFree_v2", fn(I64));
        s.put("cuMemHostAlloc", fn(PTR, I64, I32));
        s.put("cuMemFreeHost", fn(PTR));
        s.put("cuMemHostRegister_v2", fn(PTR, I64, I32));
        s.put("cuMemHostUnregister", fn(PTR));
        s.put("cuMemcpyHtoDAsync_v2", fn(I64, PTR, I64, PTR));
        s.put("cuMemcpyDtoHAsync_v2", fn(PTR, I64, I64, PTR));
        s.put("cuMemcpyDtoDAsync_v2", fn(I64, I64, I64, PTR));
        s.put("cuMemsetD8Async", fn(I64, U8, I64, PTR));
        s.put("cuMemsetD32Async", fn(I64, I32, I64, PTR));
        s.put("cuModuleLoadData", fn(PTR, PTR));
        s.put("cuModuleUnload", fn(PTR));
        s.put("cuModuleGetFunction", fn(PTR, PTR, PTR));
        s.put("cuLaunchKernel", fn(PTR, I32, I32, I32, I32, I32, I32, I32, PTR, PTR, PTR));
        SIGNATURES = java.util.Collections.unmodifiableMap(s);
    }

    /**
     * Symbols new in recent drivers, and the older symbol of the same signature to bind where the driver
     * lacks them: {@code cuEventElapsedTime_v2} arrived with CUDA 12.8 (driver 570).
     */
    public static final Map<String, String> FALLBACKS = Map.of("cuEventElapsedTime_v2", "cuEventElapsedTime");

    /** cuda.h {@code CUdevice_attribute} values used here. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    public static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;
    /** cuda.h {@code CU_STREAM_NON_BLOCKING}: no implicit synchronisation with the legacy default stream. */
    public static final int STREAM_NON_BLOCKING = 0x1;

    private final String library;
    private final Map<String, MethodHandle> handles = new LinkedHashMap<>();

    private static FunctionDescriptor fn(MemoryLayout... args) {
        return FunctionDescriptor.of(I32, args);
    }

    private DriverLibrary(String library, SymbolLookup lib) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        for (var e : SIGNATURES.entrySet()) {
            MemorySegment sym = lib.find(e.getKey())
                    .or(() -> FALLBACKS.containsKey(e.getKey()) ? lib.find(FALLBACKS.get(e.getKey())) : java.util.Optional.empty())
                    .orElseThrow(() -> new IllegalStateException("symbol " + e.getKey() + " missing from the CUDA driver"));
            handles.put(e.getKey(), linker.downcallHandle(sym, e.getValue()));
        }
    }

    /**
     * Loads {@code library} (once per process per name: the driver stays loaded, unloading it is unsafe).
     *
     * @throws IllegalStateException with a one-line reason if it cannot be loaded or is not a CUDA driver
     */
    public static DriverLibrary load(String library) {
        synchronized (LOADED) {
            DriverLibrary d = LOADED.get(library);
            if (d == null) {
                SymbolLookup lib;
                try {
                    lib = SymbolLookup.libraryLookup(library, Arena.global());
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException(library + " not found: no NVIDIA driver is installed (or it is not on the loader path)");
                } catch (IllegalCallerException e) {
                    throw new IllegalStateException("native access is disabled: run java with --enable-native-access=ALL-UNNAMED");
                }
                d = new DriverLibrary(library, lib);
                LOADED.put(library, d);
            }
            return d;
        }
    }

    private static final Map<String, DriverLibrary> LOADED = new java.util.HashMap<>();

    /** Loads {@code library}, initialises the driver and lists devices; never throws. */
    public static CudaStatus probe(String library) {
        DriverLibrary d;
        try {
            d = load(library);
        } catch (IllegalStateException e) {
            String m = e.getMessage();
            return new CudaStatus(false, m.startsWith("symbol ") ? library + " is not a usable CUDA driver: " + m : m, 0, List.of());
        }
        return d.describe();
    }

    public String library() {
        return library;
    }

    private CudaStatus describe() {
        int version = 0;
        try {
            version = driverVersion();
            int rc = call("cuInit", h -> (int) h.invokeExact(0));
            if (rc != 0) {
                String why = switch (CudaError.of(rc)) {
                    case NO_DEVICE -> "no CUDA device is visible (cuInit: CUDA_ERROR_NO_DEVICE)";
                    case STUB_LIBRARY -> "the loaded libcuda.so.1 is the toolkit's stub, not a driver";
                    case CALL_REQUIRES_NEWER_DRIVER, SYSTEM_DRIVER_MISMATCH, COMPAT_NOT_SUPPORTED_ON_DEVICE -> "the driver is too old or mismatched: " + errorName(rc);
                    default -> "cuInit failed: " + errorName(rc) + " (" + rc + ")";
                };
                return new CudaStatus(false, why, version, List.of());
            }
            int count = deviceCount();
            if (count == 0) {
                return new CudaStatus(false, "the driver reports no CUDA device", version, List.of());
            }
            List<CudaStatus.Device> devices = new ArrayList<>();
            for (int ord = 0; ord < count; ord++) {
                devices.add(device(ord));
            }
            return new CudaStatus(true, count + " device(s), driver API " + version, version, devices);
        } catch (CudaException e) {
            return new CudaStatus(false, e.getMessage(), version, List.of());
        } catch (RuntimeException e) {
            return new CudaStatus(false, "probing the CUDA driver failed: " + e, version, List.of());
        }
    }

    // ---- typed calls -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Call {
        int invoke(MethodHandle h) throws Throwable;
    }

    private int call(String name, Call c) {
        try {
            return c.invoke(handles.get(name));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("calling " + name, t);
        }
    }

    private void check(String name, Call c) {
        int rc = call(name, c);
        if (rc != 0) {
            throw new CudaException(name, rc, errorName(rc));
        }
    }

    public void init() {
        check("cuInit", h -> (int) h.invokeExact(0));
    }

    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(I32);
            check("cuDriverGetVersion", h -> (int) h.invokeExact(out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(I32);
            check("cuDeviceGetCount", h -> (int) h.invokeExact(out));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** The {@code CUdevice} handle of an ordinal. */
    public int deviceHandle(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(I32);
            check("cuDeviceGet", h -> (int) h.invokeExact(out, ordinal));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public int attribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(I32);
            check("cuDeviceGetAttribute", h -> (int) h.invokeExact(out, attribute, device));
            return out.get(ValueLayout.JAVA_INT, 0);
        }
    }

    public CudaStatus.Device device(int ordinal) {
        int dev = deviceHandle(ordinal);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(256);
            MemorySegment mem = a.allocate(I64);
            check("cuDeviceGetName", h -> (int) h.invokeExact(name, 256, dev));
            check("cuDeviceTotalMem_v2", h -> (int) h.invokeExact(mem, dev));
            return new CudaStatus.Device(ordinal, name.getString(0), mem.get(ValueLayout.JAVA_LONG, 0),
                    attribute(ATTR_COMPUTE_CAPABILITY_MAJOR, dev), attribute(ATTR_COMPUTE_CAPABILITY_MINOR, dev));
        }
    }

    public MemorySegment primaryContextRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("cuDevicePrimaryCtxRetain", h -> (int) h.invokeExact(out, device));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    public void primaryContextRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2", h -> (int) h.invokeExact(device));
    }

    public void contextSetCurrent(MemorySegment context) {
        check("cuCtxSetCurrent", h -> (int) h.invokeExact(context));
    }

    /** {free, total} bytes of the current context's device. */
    public long[] memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(I64), total = a.allocate(I64);
            check("cuMemGetInfo_v2", h -> (int) h.invokeExact(free, total));
            return new long[] {free.get(ValueLayout.JAVA_LONG, 0), total.get(ValueLayout.JAVA_LONG, 0)};
        }
    }

    public MemorySegment streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("cuStreamCreate", h -> (int) h.invokeExact(out, flags));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    public void streamDestroy(MemorySegment stream) {
        check("cuStreamDestroy_v2", h -> (int) h.invokeExact(stream));
    }

    public void streamSynchronize(MemorySegment stream) {
        check("cuStreamSynchronize", h -> (int) h.invokeExact(stream));
    }

    public MemorySegment eventCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("cuEventCreate", h -> (int) h.invokeExact(out, 0));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    public void eventRecord(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", h -> (int) h.invokeExact(event, stream));
    }

    public void eventSynchronize(MemorySegment event) {
        check("cuEventSynchronize", h -> (int) h.invokeExact(event));
    }

    /** Milliseconds between two recorded, completed events. */
    public float eventElapsed(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(F32);
            check("cuEventElapsedTime_v2", h -> (int) h.invokeExact(out, start, end));
            return out.get(ValueLayout.JAVA_FLOAT, 0);
        }
    }

    public void eventDestroy(MemorySegment event) {
        check("cuEventDestroy_v2", h -> (int) h.invokeExact(event));
    }

    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(I64);
            check("cuMemAlloc_v2", h -> (int) h.invokeExact(out, bytes));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    public void memFree(long pointer) {
        check("cuMemFree_v2", h -> (int) h.invokeExact(pointer));
    }

    /** Page-locked host memory of {@code bytes}, as a segment of exactly that size. */
    public MemorySegment memHostAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(PTR);
            check("cuMemHostAlloc", h -> (int) h.invokeExact(out, bytes, 0));
            return out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
        }
    }

    public void memFreeHost(MemorySegment host) {
        check("cuMemFreeHost", h -> (int) h.invokeExact(host));
    }

    /** cuda.h {@code CU_MEMHOSTREGISTER_PORTABLE}: page-locked for every context, not only the registering one. */
    public static final int HOST_REGISTER_PORTABLE = 0x01;

    /** Page-locks {@code host} (memory the caller allocated and keeps owning) so copies run from it at full bus speed. */
    public void memHostRegister(MemorySegment host, int flags) {
        check("cuMemHostRegister_v2", h -> (int) h.invokeExact(host, host.byteSize(), flags));
    }

    public void memHostUnregister(MemorySegment host) {
        check("cuMemHostUnregister", h -> (int) h.invokeExact(host));
    }

    public void copyHostToDevice(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync_v2", h -> (int) h.invokeExact(dst, src, bytes, stream));
    }

    public void copyDeviceToHost(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync_v2", h -> (int) h.invokeExact(dst, src, bytes, stream));
    }

    public void copyDeviceToDevice(long dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoDAsync_v2", h -> (int) h.invokeExact(dst, src, bytes, stream));
    }

    public void memset8(long dst, byte value, long count, MemorySegment stream) {
        check("cuMemsetD8Async", h -> (int) h.invokeExact(dst, value, count, stream));
    }

    public void memset32(long dst, int value, long count, MemorySegment stream) {
        check("cuMemsetD32Async", h -> (int) h.invokeExact(dst, value, count, stream));
    }

    /** Loads a fatbin, cubin or PTX image (the driver picks the SASS for its device, or JIT-compiles the PTX). */
    public MemorySegment moduleLoad(byte[] image) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            MemorySegment.copy(image, 0, img, ValueLayout.JAVA_BYTE, 0, image.length);
            MemorySegment out = a.allocate(PTR);
            check("cuModuleLoadData", h -> (int) h.invokeExact(out, img));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    public void moduleUnload(MemorySegment module) {
        check("cuModuleUnload", h -> (int) h.invokeExact(module));
    }

    public MemorySegment moduleFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocateFrom(name);
            MemorySegment out = a.allocate(PTR);
            check("cuModuleGetFunction", h -> (int) h.invokeExact(out, module, n));
            return out.get(ValueLayout.ADDRESS, 0);
        }
    }

    /**
     * Launches {@code function}; {@code params} is the {@code void*[]} of pointers to each argument's
     * value, as cuLaunchKernel's {@code kernelParams} (see {@link #kernelParams}).
     */
    public void launch(MemorySegment function, int[] grid, int[] block, int sharedBytes, MemorySegment stream, MemorySegment params) {
        check("cuLaunchKernel", h -> (int) h.invokeExact(function, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes,
                stream, params, MemorySegment.NULL));
    }

    /**
     * Packs kernel arguments for {@link #launch}: each value in an 8-byte slot of {@code arena}, and the
     * array of pointers to the slots. Values: {@code Integer} (int), {@code Long} (64-bit, also device
     * pointers), {@code Float}, {@code Double}.
     */
    public static MemorySegment kernelParams(Arena arena, Object... values) {
        MemorySegment slots = arena.allocate(8L * Math.max(1, values.length), 8);
        MemorySegment pointers = arena.allocate(PTR, Math.max(1, values.length));
        for (int i = 0; i < values.length; i++) {
            long at = 8L * i;
            switch (values[i]) {
                case Integer v -> slots.set(ValueLayout.JAVA_INT, at, v);
                case Long v -> slots.set(ValueLayout.JAVA_LONG, at, v);
                case Float v -> slots.set(ValueLayout.JAVA_FLOAT, at, v);
                case Double v -> slots.set(ValueLayout.JAVA_DOUBLE, at, v);
                default -> throw new IllegalArgumentException("kernel argument " + i + " has unsupported type " + values[i].getClass().getName());
            }
            pointers.setAtIndex(ValueLayout.ADDRESS, i, slots.asSlice(at, 8));
        }
        return pointers;
    }

    /** The driver's name for a result code (CUDA_ERROR_...), or the enum's if the driver does not know it. */
    public String errorName(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            if (call("cuGetErrorName", h -> (int) h.invokeExact(rc, p)) == 0) {
                return p.get(ValueLayout.ADDRESS, 0).reinterpret(128).getString(0);
            }
        } catch (RuntimeException ignored) {
            // fall through to the enum's name
        }
        return "CUDA_ERROR_" + CudaError.of(rc).name();
    }

    /** The driver's description of a result code, or empty. */
    public String errorString(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(PTR);
            if (call("cuGetErrorString", h -> (int) h.invokeExact(rc, p)) == 0) {
                return p.get(ValueLayout.ADDRESS, 0).reinterpret(512).getString(0);
            }
        } catch (RuntimeException ignored) {
            // no description
        }
        return "";
    }
}
