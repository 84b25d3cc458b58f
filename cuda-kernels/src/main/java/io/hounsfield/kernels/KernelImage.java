package io.hounsfield.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The fatbin holding Hounsfield's CUDA kernels, packaged as a class-path resource by the build when
 * {@code nvcc} is present. Until the kernels exist (the CUDA backend issue) there is no fatbin, and
 * {@link #status()} says so.
 */
public final class KernelImage {

    /** Where the build puts the fatbin. */
    public static final String RESOURCE = "/io/hounsfield/kernels/hounsfield.fatbin";

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

    /** One line for {@code hounsfield info}. */
    public static String status() {
        return isBuilt()
                ? "kernels built (" + RESOURCE + ")"
                : "kernels not built: this build has no CUDA kernels yet (they come with the CUDA backend, built by nvcc)";
    }
}
