package io.hounsfield.cuda.internal;

import io.hounsfield.cuda.CudaError;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FFM signatures and error codes against the CUDA toolkit's own {@code cuda.h} — the truth from
 * outside the code. Skipped, with the reason, where no toolkit is installed.
 */
class DriverSignaturesTest {

    private static String header;

    @BeforeAll
    static void readHeader() throws IOException {
        String home = System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda");
        Path h = Path.of(home, "include", "cuda.h");
        Assumptions.assumeTrue(Files.isRegularFile(h), "no CUDA toolkit header at " + h + " (set CUDA_HOME)");
        header = Files.readString(h).replaceAll("/\\*.*?\\*/", " ");
    }

    private static final Set<String> HANDLES = Set.of("CUcontext", "CUstream", "CUevent", "CUmodule", "CUfunction");

    private static MemoryLayout layoutOf(String param) {
        String p = param.replaceAll("\\bconst\\b", "").trim();
        if (p.contains("*")) {
            return ValueLayout.ADDRESS;
        }
        String type = p.replaceAll("\\s+\\w+$", "").trim(); // drop the parameter name
        if (HANDLES.contains(type)) {
            return ValueLayout.ADDRESS;
        }
        return switch (type) {
            case "CUdeviceptr", "size_t" -> ValueLayout.JAVA_LONG;
            case "unsigned char" -> ValueLayout.JAVA_BYTE;
            case "float" -> ValueLayout.JAVA_FLOAT;
            case "int", "unsigned int", "CUdevice", "CUresult", "CUdevice_attribute", "CUfunction_attribute" -> ValueLayout.JAVA_INT;
            default -> throw new AssertionError("no FFM mapping for C type '" + type + "' in '" + param + "'");
        };
    }

    /** The parameter list of {@code name}'s declaration (or of the macro name cuda.h maps to it). */
    private static List<MemoryLayout> declared(String name) {
        for (String candidate : List.of(name, name.replaceAll("_v\\d$", ""))) {
            Matcher m = Pattern.compile("CUresult\\s+CUDAAPI\\s+" + candidate + "\\s*\\(([^)]*)\\)").matcher(header);
            if (m.find()) {
                List<MemoryLayout> out = new ArrayList<>();
                String params = m.group(1).trim();
                if (!params.equals("void")) {
                    for (String p : params.split(",")) {
                        out.add(layoutOf(p));
                    }
                }
                return out;
            }
        }
        throw new AssertionError(name + " is not declared in cuda.h");
    }

    @Test
    void everyBindingMatchesItsDeclaration() {
        for (var e : DriverLibrary.SIGNATURES.entrySet()) {
            FunctionDescriptor fd = e.getValue();
            assertThat(fd.returnLayout()).as(e.getKey() + " returns CUresult").contains(ValueLayout.JAVA_INT);
            assertThat(fd.argumentLayouts()).as(e.getKey()).containsExactlyElementsOf(declared(e.getKey()));
        }
    }

    /** cuda.h makes the plain names macros for their current versions; binding a plain name would get an old ABI. */
    @Test
    void versionedSymbolsAreBoundByTheirVersionedNames() {
        for (String name : DriverLibrary.SIGNATURES.keySet()) {
            Matcher m = Pattern.compile("#define\\s+" + name + "\\s+(\\S+)").matcher(header);
            while (m.find()) {
                String target = m.group(1);
                assertThat(target.contains("_v") || target.contains("_pt"))
                        .as("%s is a macro for %s in cuda.h: bind the versioned name", name, target).isFalse();
            }
        }
    }

    @Test
    void errorCodesAreTheHeadersCodes() {
        for (CudaError e : CudaError.values()) {
            if (e == CudaError.UNKNOWN_CODE) {
                continue;
            }
            String name = e == CudaError.SUCCESS ? "CUDA_SUCCESS" : "CUDA_ERROR_" + e.name();
            Matcher m = Pattern.compile("\\b" + name + "\\s*=\\s*(\\d+)").matcher(header);
            assertThat(m.find()).as(name + " in cuda.h").isTrue();
            assertThat(Integer.parseInt(m.group(1))).as(name).isEqualTo(e.code());
        }
    }
}
