package io.hounsfield.cuda.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake CUDA driver ({@code fake_cuda.c} beside this class: device memory in host memory, launches
 * recorded), built with gcc into {@code target/fake-cuda/} once per test JVM, and its test controls.
 * Lets the bindings and everything above them be tested up to the driver boundary without a GPU.
 * Without gcc the tests that need it are skipped with that reason — except in CI, where that is a
 * failure ({@code .ci/run} installs gcc). Shared through native-bindings' test-jar.
 */
public final class FakeCuda {

    private static String library;
    private static MethodHandle reset, memLimit, paramCount, failLaunches, live, lastName, lastDim, lastParam, launches, emulator, interleave,
            registeredCopies;

    private FakeCuda() {
    }

    /** Absolute path of the built fake {@code libcuda}. */
    public static synchronized String library() {
        if (library == null) {
            Path dir = Path.of("target/fake-cuda").toAbsolutePath();
            Path src = dir.resolve("fake_cuda.c");
            Path out = dir.resolve("libcuda-fake.so");
            try {
                Files.createDirectories(dir);
                try (var in = FakeCuda.class.getResourceAsStream("fake_cuda.c")) {
                    Files.write(src, in.readAllBytes());
                }
                Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-Wall", "-o", out.toString(), src.toString(), "-lpthread", "-ldl")
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("gcc failed on " + src + ":\n" + log);
                }
            } catch (IOException e) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("gcc is needed to build the fake CUDA driver in CI", e);
                }
                Assumptions.abort("gcc not found: cannot build the fake CUDA driver (" + e.getMessage() + ")");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            library = out.toString();
            SymbolLookup l = SymbolLookup.libraryLookup(out, Arena.global());
            Linker k = Linker.nativeLinker();
            reset = k.downcallHandle(l.find("fake_reset").orElseThrow(), FunctionDescriptor.ofVoid());
            memLimit = k.downcallHandle(l.find("fake_set_mem_limit").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
            paramCount = k.downcallHandle(l.find("fake_set_param_count").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
            failLaunches = k.downcallHandle(l.find("fake_fail_launches").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
            live = k.downcallHandle(l.find("fake_live").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            lastName = k.downcallHandle(l.find("fake_last_name").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
            lastDim = k.downcallHandle(l.find("fake_last_dim").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            lastParam = k.downcallHandle(l.find("fake_last_param").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            launches = k.downcallHandle(l.find("fake_launches").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            emulator = k.downcallHandle(l.find("fake_set_emulator").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            interleave = k.downcallHandle(l.find("fake_emulator_interleave").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            registeredCopies = k.downcallHandle(l.find("fake_registered_copies").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
        }
        return library;
    }

    /** What the fake still holds: device allocations, pinned buffers, streams, events, modules, context retains, page-locked host ranges. */
    public enum Live { ALLOCATIONS, PINNED, STREAMS, EVENTS, MODULES, RETAINED, REGISTERED }

    public static void reset() {
        library();
        invoke(() -> {
            reset.invokeExact();
        });
    }

    public static void setMemoryLimit(long bytes) {
        invoke(() -> {
            memLimit.invokeExact(bytes);
        });
    }

    public static void setParamCount(int n) {
        invoke(() -> {
            paramCount.invokeExact(n);
        });
    }

    /** From now on every launch fails the context with {@code code} (a sticky error, e.g. 700), as a faulting kernel would. */
    public static void failLaunches(int code) {
        invoke(() -> {
            failLaunches.invokeExact(code);
        });
    }

    public static int live(Live what) {
        int[] r = new int[1];
        invoke(() -> r[0] = (int) live.invokeExact(what.ordinal()));
        return r[0];
    }

    /** How many host↔device copies (since the last reset) ran straight from or to page-locked registered memory. */
    public static int copiesWithRegisteredMemory() {
        int[] r = new int[1];
        invoke(() -> r[0] = (int) registeredCopies.invokeExact());
        return r[0];
    }

    public static String lastKernel() {
        MemorySegment[] r = new MemorySegment[1];
        invoke(() -> r[0] = (MemorySegment) lastName.invokeExact());
        return r[0].reinterpret(64).getString(0);
    }

    /** gx, gy, gz, bx, by, bz, shared bytes of the last launch. */
    public static int lastDim(int i) {
        int[] r = new int[1];
        invoke(() -> r[0] = (int) lastDim.invokeExact(i));
        return r[0];
    }

    /** The first 8 bytes of the last launch's argument {@code i} (set the count first). */
    public static long lastParam(int i) {
        long[] r = new long[1];
        invoke(() -> r[0] = (long) lastParam.invokeExact(i));
        return r[0];
    }

    /**
     * From now until the next {@link #reset}, launches run the kernels of the emulator library at {@code path}
     * (io.hounsfield.kernels.testing.KernelEmulator) on the fake's memory, instead of doing nothing.
     */
    public static void useEmulator(String path) {
        int[] r = new int[1];
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(path);
            invoke(() -> r[0] = (int) emulator.invokeExact(s));
        }
        if (r[0] != 0) {
            throw new IllegalStateException("the fake driver could not load the kernel emulator " + path + " (" + r[0] + ")");
        }
    }

    /**
     * With the emulator ({@link #useEmulator}): run each later launch (of up to 8192 threads, without barriers)
     * with all its threads at once, the next to run picked by a generator seeded with {@code seed}, and threads
     * giving way at atomic operations — a stress test for lock-free kernels. 0 turns it off.
     */
    public static void emulatorInterleave(long seed) {
        int[] r = new int[1];
        invoke(() -> r[0] = (int) interleave.invokeExact(seed));
        if (r[0] != 0) {
            throw new IllegalStateException("no kernel emulator loaded (" + r[0] + ")");
        }
    }

    /** How many times kernel {@code name} was launched since the last {@link #reset}. */
    public static int launches(String name) {
        int[] r = new int[1];
        try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment s = a.allocateFrom(name);
            invoke(() -> r[0] = (int) launches.invokeExact(s));
        }
        return r[0];
    }

    @FunctionalInterface
    private interface Native {
        void run() throws Throwable;
    }

    private static void invoke(Native n) {
        try {
            n.run();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
