package io.hounsfield.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The launchers' argument table against the kernels' C signatures in hounsfield.cu. */
class KernelSignaturesTest {

    private static char kind(String param) {
        String p = param.replaceAll("__restrict__|\\bconst\\b", " ").trim();
        if (p.contains("*")) {
            return 'p';
        }
        String type = p.replaceAll("\\s+\\w+$", "").replaceAll("\\s+", " ").trim();
        return switch (type) {
            case "int" -> 'i';
            case "long long" -> 'l';
            case "double" -> 'd';
            default -> throw new AssertionError("no launcher kind for C type '" + type + "'");
        };
    }

    static Map<String, String> declared() throws IOException {
        String src = Files.readString(Path.of("src/main/cuda/hounsfield.cu")).replaceAll("//[^\n]*", "");
        Map<String, String> out = new HashMap<>();
        Matcher k = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)").matcher(src);
        while (k.find()) {
            if (k.group(1).equals("NAME")) {
                continue; // the CONVERT macro's template
            }
            StringBuilder sig = new StringBuilder();
            for (String p : k.group(2).split(",")) {
                sig.append(kind(p));
            }
            out.put(k.group(1), sig.toString());
        }
        // Kernels made by the CONVERT(NAME, T) macro: (const T *src, float *dst, long long n).
        Matcher c = Pattern.compile("^CONVERT\\((\\w+),", Pattern.MULTILINE).matcher(src);
        while (c.find()) {
            out.put(c.group(1), "ppl");
        }
        return out;
    }

    @Test
    void everyLauncherMatchesItsKernelAndEveryKernelHasALauncher() throws IOException {
        Map<String, String> declared = declared();
        assertThat(declared).hasSizeGreaterThanOrEqualTo(14);
        assertThat(Kernels.SIGNATURES).containsExactlyInAnyOrderEntriesOf(declared);
        for (Kernels.SourceType t : Kernels.SourceType.values()) {
            assertThat(declared).containsKey(t.kernel);
        }
    }
}
