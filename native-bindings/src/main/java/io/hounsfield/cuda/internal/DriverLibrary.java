package io.hounsfield.cuda.internal;

import io.hounsfield.cuda.CudaError;
import io.hounsfield.cuda.CudaException;
import io.hounsfield.cuda.CudaStatus;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * FFM downcalls into the CUDA driver API. The only place that touches {@code java.lang.foreign} for
 * CUDA (STYLE.md). Versioned symbols ({@code _v2}) are bound by their explicit names, since the
 * unversioned names in cuda.h are macros.
 */
public final class DriverLibrary {

    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    private static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuGetErrorName;

    private DriverLibrary(SymbolLookup lib) {
        Linker linker = Linker.nativeLinker();
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ValueLayout ptr = ValueLayout.ADDRESS;
        cuInit = bind(linker, lib, "cuInit", FunctionDescriptor.of(i32, i32));
        cuDriverGetVersion = bind(linker, lib, "cuDriverGetVersion", FunctionDescriptor.of(i32, ptr));
        cuDeviceGetCount = bind(linker, lib, "cuDeviceGetCount", FunctionDescriptor.of(i32, ptr));
        cuDeviceGet = bind(linker, lib, "cuDeviceGet", FunctionDescriptor.of(i32, ptr, i32));
        cuDeviceGetName = bind(linker, lib, "cuDeviceGetName", FunctionDescriptor.of(i32, ptr, i32, i32));
        cuDeviceTotalMem = bind(linker, lib, "cuDeviceTotalMem_v2", FunctionDescriptor.of(i32, ptr, i32));
        cuDeviceGetAttribute = bind(linker, lib, "cuDeviceGetAttribute", FunctionDescriptor.of(i32, ptr, i32, i32));
        cuGetErrorName = bind(linker, lib, "cuGetErrorName", FunctionDescriptor.of(i32, i32, ptr));
    }

    private static MethodHandle bind(Linker linker, SymbolLookup lib, String name, FunctionDescriptor fd) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing from the CUDA driver"));
        return linker.downcallHandle(sym, fd);
    }

    /** Loads {@code library}, initialises the driver and lists devices; never throws. */
    public static CudaStatus probe(String library) {
        SymbolLookup lib;
        try {
            // The global arena: the driver stays loaded for the life of the process (unloading it is unsafe).
            lib = SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            return status(false, library + " not found: no NVIDIA driver is installed (or it is not on the loader path)", 0, List.of());
        } catch (IllegalCallerException e) {
            return status(false, "native access is disabled: run java with --enable-native-access=ALL-UNNAMED", 0, List.of());
        }
        DriverLibrary d;
        try {
            d = new DriverLibrary(lib);
        } catch (IllegalStateException e) {
            return status(false, library + " is not a usable CUDA driver: " + e.getMessage(), 0, List.of());
        }
        return d.describe();
    }

    private CudaStatus describe() {
        int version = 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_INT);
            if ((int) cuDriverGetVersion.invokeExact(out) == 0) {
                version = out.get(ValueLayout.JAVA_INT, 0);
            }
            int rc = (int) cuInit.invokeExact(0);
            if (rc != 0) {
                String why = switch (CudaError.of(rc)) {
                    case NO_DEVICE -> "no CUDA device is visible (cuInit: CUDA_ERROR_NO_DEVICE)";
                    case STUB_LIBRARY -> "the loaded libcuda.so.1 is the toolkit's stub, not a driver";
                    case INSUFFICIENT_DRIVER, SYSTEM_DRIVER_MISMATCH -> "the driver is too old or mismatched: " + errorName(rc);
                    default -> "cuInit failed: " + errorName(rc) + " (" + rc + ")";
                };
                return status(false, why, version, List.of());
            }
            check("cuDeviceGetCount", (int) cuDeviceGetCount.invokeExact(out));
            int count = out.get(ValueLayout.JAVA_INT, 0);
            if (count == 0) {
                return status(false, "the driver reports no CUDA device", version, List.of());
            }
            List<CudaStatus.Device> devices = new ArrayList<>();
            MemorySegment name = a.allocate(256);
            MemorySegment mem = a.allocate(ValueLayout.JAVA_LONG);
            MemorySegment major = a.allocate(ValueLayout.JAVA_INT), minor = a.allocate(ValueLayout.JAVA_INT);
            for (int ord = 0; ord < count; ord++) {
                check("cuDeviceGet", (int) cuDeviceGet.invokeExact(out, ord));
                int dev = out.get(ValueLayout.JAVA_INT, 0);
                check("cuDeviceGetName", (int) cuDeviceGetName.invokeExact(name, 256, dev));
                check("cuDeviceTotalMem_v2", (int) cuDeviceTotalMem.invokeExact(mem, dev));
                check("cuDeviceGetAttribute", (int) cuDeviceGetAttribute.invokeExact(major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev));
                check("cuDeviceGetAttribute", (int) cuDeviceGetAttribute.invokeExact(minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev));
                devices.add(new CudaStatus.Device(ord, name.getString(0), mem.get(ValueLayout.JAVA_LONG, 0),
                        major.get(ValueLayout.JAVA_INT, 0), minor.get(ValueLayout.JAVA_INT, 0)));
            }
            return status(true, count + " device(s), driver API " + version, version, devices);
        } catch (CudaException e) {
            return status(false, e.getMessage(), version, List.of());
        } catch (Throwable t) {
            return status(false, "probing the CUDA driver failed: " + t, version, List.of());
        }
    }

    private void check(String call, int rc) {
        if (rc != 0) {
            throw new CudaException(call, rc, errorName(rc));
        }
    }

    private String errorName(int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ValueLayout.ADDRESS);
            if ((int) cuGetErrorName.invokeExact(rc, p) == 0) {
                return p.get(ValueLayout.ADDRESS, 0).reinterpret(128).getString(0);
            }
        } catch (Throwable ignored) {
            // fall through to the enum's name
        }
        return "CUDA_ERROR_" + CudaError.of(rc).name();
    }

    private static CudaStatus status(boolean ok, String reason, int version, List<CudaStatus.Device> devices) {
        return new CudaStatus(ok, reason, version, devices);
    }
}
