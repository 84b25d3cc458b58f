package io.hounsfield.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * The fatbin holding Hounsfield's CUDA kernels, packaged as a class-path resource by the build when
 * {@code nvcc} is present ({@code build-kernels.sh}): SASS for sm_75, sm_80, sm_86, sm_89 and sm_90, PTX
 * for compute_90. Built with the CUDA 13 toolkit, it needs a driver that supports CUDA 13 (R580 or newer)
 * to load; older drivers refuse the image, and the engine then runs on the CPU and says why.
 */
public final class KernelImage {

    /** Where the build puts the fatbin. */
    public static final String RESOURCE = "/io/hounsfield/kernels/hounsfield.fatbin";
    /** What it was built with: nvcc version, SASS and PTX targets, flags. */
    public static final String PROPERTIES = RESOURCE + ".properties";

    /** What {@link #status()} says when this build has no fatbin. */
    public static final String NOT_BUILT = "kernels not built: nvcc was not found when this build ran (install the CUDA toolkit or set NVCC, then rebuild)";

    private KernelImage() {
    }

    /** The fatbin bytes, or empty if this build has no kernels. */
    public static Optional<byte[]> load() {
        try (InputStream in = KernelImage.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** True if this build carries a fatbin. */
    public static boolean isBuilt() {
        return KernelImage.class.getResource(RESOURCE) != null;
    }

    /** The build's description of the fatbin (empty if none). */
    public static Properties buildInfo() {
        Properties p = new Properties();
        try (InputStream in = KernelImage.class.getResourceAsStream(PROPERTIES)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + PROPERTIES, e);
        }
        return p;
    }

    /** One line for {@code hounsfield info}. */
    public static String status() {
        if (!isBuilt()) {
            return NOT_BUILT;
        }
        Properties p = buildInfo();
        return "kernels built by nvcc " + p.getProperty("nvcc", "?") + ": SASS " + p.getProperty("sass", "?") + ", PTX "
                + p.getProperty("ptx", "?") + " (needs a CUDA 13 driver, R580+)";
    }
}
