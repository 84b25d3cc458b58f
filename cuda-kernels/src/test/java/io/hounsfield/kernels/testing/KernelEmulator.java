package io.hounsfield.kernels.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * hounsfield.cu compiled for the CPU (g++, with {@code emu/hf_emu.h} standing in for CUDA) into a library the
 * fake driver runs launches with ({@code FakeCuda.useEmulator}): the kernels' own code then computes what the
 * GPU parity tests compare with the CPU backend, on any machine. It checks each kernel's logic, not the GPU's
 * memory model, scheduling or speed (see hf_emu.h). A launcher per kernel is generated from its parameter list
 * in the preprocessed source.
 */
public final class KernelEmulator {

    private static String library;
    private static String unavailable;

    private KernelEmulator() {
    }

    /** The built library's path, or empty when it cannot be built here (no g++, no kernel source). */
    public static synchronized Optional<String> library() {
        if (library == null && unavailable == null) {
            try {
                library = build();
            } catch (IOException | IllegalStateException e) {
                if ("true".equals(System.getenv("CI"))) {
                    throw new IllegalStateException("the kernel emulator must build in CI", e);
                }
                unavailable = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted";
            }
        }
        return Optional.ofNullable(library);
    }

    /** Why {@link #library} is empty. */
    public static synchronized String unavailableReason() {
        return unavailable == null ? "available" : unavailable;
    }

    private static Path source() {
        for (String p : List.of("src/main/cuda/hounsfield.cu", "../cuda-kernels/src/main/cuda/hounsfield.cu")) {
            Path f = Path.of(p).toAbsolutePath().normalize();
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException("hounsfield.cu not found from " + Path.of("").toAbsolutePath());
    }

    private static String build() throws IOException, InterruptedException {
        Path dir = Path.of("target/kernel-emu").toAbsolutePath();
        Files.createDirectories(dir);
        for (String name : List.of("hf_emu.h", "hf_emu_runtime.cpp")) {
            try (InputStream in = KernelEmulator.class.getResourceAsStream("/io/hounsfield/kernels/emu/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
        // Dynamic shared memory (extern __shared__ T name[]) becomes a pointer to the emulator's one buffer.
        String cu = Files.readString(source()).replaceAll("extern\\s+__shared__\\s+([a-z ]+[a-z])\\s+(\\w+)\\[\\];",
                "$1 *$2 = ($1 *) hf_emu_dynamic_shared;");
        Files.writeString(dir.resolve("hounsfield_emu.cu"), cu);
        Path kernels = dir.resolve("hounsfield_emu.cpp");
        Files.writeString(kernels, "#include \"hf_emu.h\"\n#include \"hounsfield_emu.cu\"\n");
        Path expanded = dir.resolve("expanded.cpp");
        run(dir, "g++", "-E", "-P", "-std=gnu++17", "-x", "c++", kernels.toString(), "-o", expanded.toString());
        Files.writeString(dir.resolve("hf_emu_trampolines.cpp"), trampolines(Files.readString(expanded)));
        Path out = dir.resolve("libhf-emu.so");
        run(dir, "g++", "-O2", "-std=gnu++17", "-fPIC", "-shared", "-ffp-contract=off", "-U_FORTIFY_SOURCE", "-o", out.toString(),
                kernels.toString(), dir.resolve("hf_emu_trampolines.cpp").toString(), dir.resolve("hf_emu_runtime.cpp").toString());
        return out.toString();
    }

    private static final Pattern KERNEL = Pattern.compile("extern \"C\"\\s+void\\s+(hf_\\w+)\\s*\\(([^)]*)\\)\\s*\\{");

    /** A launcher per kernel: {@code void t(void **a)} calling it with *(T *) a[i], and a lookup by name. */
    static String trampolines(String expanded) {
        StringBuilder decl = new StringBuilder("#include <cstring>\n#include <cstdint>\n"), find = new StringBuilder();
        List<String> seen = new ArrayList<>();
        Matcher m = KERNEL.matcher(expanded);
        while (m.find()) {
            String name = m.group(1);
            if (seen.contains(name)) {
                continue;
            }
            seen.add(name);
            List<String> types = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                // The type is everything before the parameter's name (a '*' may touch either).
                String t = p.replace("__restrict", " ").trim().replaceAll("\\s+", " ");
                Matcher last = Pattern.compile("(\\w+)$").matcher(t);
                if (!last.find() || last.start() == 0) {
                    throw new IllegalStateException("cannot read the parameter '" + p + "' of " + name);
                }
                types.add(t.substring(0, last.start()).trim());
            }
            decl.append("extern \"C\" void ").append(name).append('(').append(String.join(", ", types)).append(");\n");
            decl.append("static void t_").append(name).append("(void **a) { ").append(name).append('(');
            for (int i = 0; i < types.size(); i++) {
                decl.append(i == 0 ? "" : ", ").append("*(").append(types.get(i)).append(" *) a[").append(i).append(']');
            }
            decl.append("); }\n");
            find.append("    if (!std::strcmp(n, \"").append(name).append("\")) return t_").append(name).append(";\n");
        }
        if (seen.isEmpty()) {
            throw new IllegalStateException("no kernel found in the preprocessed hounsfield.cu");
        }
        return decl + "typedef void (*hf_emu_trampoline)(void **);\nextern \"C\" hf_emu_trampoline hf_emu_find(const char *n) {\n" + find
                + "    return nullptr;\n}\n";
    }

    private static void run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd).substring(0, Math.min(200, String.join(" ", cmd).length())) + " failed:\n" + log);
        }
    }
}
