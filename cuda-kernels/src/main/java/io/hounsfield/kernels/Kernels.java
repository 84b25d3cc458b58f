package io.hounsfield.kernels;

import io.hounsfield.cuda.CudaContext;
import io.hounsfield.cuda.CudaModule;
import io.hounsfield.cuda.DeviceBuffer;
import io.hounsfield.cuda.Dim3;

import java.util.Map;

/**
 * Typed launchers for the kernels of {@code src/main/cuda/hounsfield.cu}, one method per kernel. Each
 * checks element counts, dimensions and buffer sizes on the host before it queues the launch, so a
 * wrong size is an {@link IllegalArgumentException} here, never an illegal address on the device.
 * Use on the device's owner thread (inside {@code CudaDevice.submit}); launches are queued on the
 * context's stream.
 */
public final class Kernels implements AutoCloseable {

    /** Threads per block for the element-wise kernels. */
    static final int BLOCK = 256;
    /** Blocks of the first reduction pass; its partials are reduced in this order by the second. */
    public static final int REDUCE_BLOCKS = 1024;
    /** Largest histogram the shared-memory kernel takes. */
    public static final int MAX_HISTOGRAM_BINS = 4096;

    /**
     * Each kernel's parameters as the launchers pass them: {@code p} a device pointer, {@code i} int,
     * {@code l} long long, {@code d} double. Checked against the .cu source by a test, and against the
     * arguments at every launch.
     */
    static final Map<String, String> SIGNATURES = Map.ofEntries(
            Map.entry("hf_u8_to_f32", "ppl"),
            Map.entry("hf_i16_to_f32", "ppl"),
            Map.entry("hf_u16_to_f32", "ppl"),
            Map.entry("hf_i32_to_f32", "ppl"),
            Map.entry("hf_f64_to_f32", "ppl"),
            Map.entry("hf_crop_f32", "piiiiipiii"),
            Map.entry("hf_crop_u8", "piiiiipiii"),
            Map.entry("hf_resample_f32", "piiippiiii"),
            Map.entry("hf_range_mask", "ppilddp"),
            Map.entry("hf_clip_f32", "pldd"),
            Map.entry("hf_discretise_fbn", "pplddip"),
            Map.entry("hf_discretise_fbs", "pplddp"),
            Map.entry("hf_masked_partials", "pplp"),
            Map.entry("hf_reduce_partials", "pip"),
            Map.entry("hf_histogram", "plip"));

    /** Source voxel types {@link #toFloat32} converts. */
    public enum SourceType {
        U8("hf_u8_to_f32", 1), I16("hf_i16_to_f32", 2), U16("hf_u16_to_f32", 2), I32("hf_i32_to_f32", 4), F64("hf_f64_to_f32", 8);

        final String kernel;
        final int bytes;

        SourceType(String kernel, int bytes) {
            this.kernel = kernel;
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    private final CudaContext context;
    private final CudaModule module;

    private Kernels(CudaContext context, CudaModule module) {
        this.context = context;
        this.module = module;
    }

    /**
     * Loads this build's fatbin into {@code context}.
     *
     * @throws IllegalStateException if this build has no kernels (no nvcc at build time)
     */
    public static Kernels load(CudaContext context) {
        byte[] image = KernelImage.load().orElseThrow(() -> new IllegalStateException(KernelImage.status()));
        return new Kernels(context, context.load(image));
    }

    /** Frees the module. */
    @Override
    public void close() {
        module.close();
    }

    private void launch(String name, Dim3 grid, int sharedBytes, Object... args) {
        String sig = SIGNATURES.get(name);
        if (sig == null || sig.length() != args.length) {
            throw new IllegalStateException("kernel " + name + " takes " + (sig == null ? "?" : sig.length()) + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            boolean ok = switch (sig.charAt(i)) {
                case 'p' -> args[i] instanceof DeviceBuffer;
                case 'i' -> args[i] instanceof Integer;
                case 'l' -> args[i] instanceof Long;
                case 'd' -> args[i] instanceof Double;
                default -> false;
            };
            if (!ok) {
                throw new IllegalStateException("kernel " + name + " argument " + i + " must be '" + sig.charAt(i) + "', got " + args[i]);
            }
        }
        context.launch(module.function(name), grid, Dim3.of(BLOCK), sharedBytes, args);
    }

    private static Dim3 grid(long n) {
        // Grid-stride loops: enough blocks to fill any current GPU, never more than the work needs.
        return Dim3.cover(Math.max(1, Math.min(n, (long) BLOCK * 65_535)), BLOCK);
    }

    private static void need(DeviceBuffer b, long bytes, String what) {
        if (b.byteSize() < bytes) {
            throw new IllegalArgumentException(what + " needs " + bytes + " bytes, its buffer has " + b.byteSize());
        }
        // cuMemAlloc aligns to 256 bytes; a buffer from elsewhere must still suit the widest element (8 bytes).
        if (b.address() % 8 != 0) {
            throw new IllegalArgumentException(what + " buffer at 0x" + Long.toHexString(b.address()) + " is not 8-byte aligned");
        }
    }

    private static long count(int nx, int ny, int nz, String what) {
        if (nx < 1 || ny < 1 || nz < 1) {
            throw new IllegalArgumentException(what + " dimensions must be >= 1, got " + nx + "x" + ny + "x" + nz);
        }
        return (long) nx * ny * nz;
    }

    private static void positive(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("element count must be >= 1, got " + n);
        }
    }

    /** {@code dst[i] = (float) src[i]} for {@code n} elements of {@code type}. */
    public void toFloat32(SourceType type, DeviceBuffer src, DeviceBuffer dst, long n) {
        positive(n);
        need(src, n * type.bytes, "source");
        need(dst, 4 * n, "float32 output");
        launch(type.kernel, grid(n), 0, src, dst, n);
    }

    /** The block of {@code src} (float32, {@code snx·sny·snz}) from (x0, y0, z0), of {@code dnx·dny·dnz} voxels. */
    public void cropF32(DeviceBuffer src, int snx, int sny, int snz, int x0, int y0, int z0, DeviceBuffer dst, int dnx, int dny, int dnz) {
        crop("hf_crop_f32", 4, src, snx, sny, snz, x0, y0, z0, dst, dnx, dny, dnz);
    }

    /** As {@link #cropF32} for uint8 labels. */
    public void cropU8(DeviceBuffer src, int snx, int sny, int snz, int x0, int y0, int z0, DeviceBuffer dst, int dnx, int dny, int dnz) {
        crop("hf_crop_u8", 1, src, snx, sny, snz, x0, y0, z0, dst, dnx, dny, dnz);
    }

    private void crop(String kernel, int bytes, DeviceBuffer src, int snx, int sny, int snz, int x0, int y0, int z0,
                      DeviceBuffer dst, int dnx, int dny, int dnz) {
        long sn = count(snx, sny, snz, "source");
        long dn = count(dnx, dny, dnz, "crop");
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + dnx > snx || y0 + dny > sny || z0 + dnz > snz) {
            throw new IllegalArgumentException("crop [" + x0 + "+" + dnx + ", " + y0 + "+" + dny + ", " + z0 + "+" + dnz
                    + ") outside the source " + snx + "x" + sny + "x" + snz);
        }
        need(src, bytes * sn, "source");
        need(dst, bytes * dn, "crop output");
        launch(kernel, grid(dn), 0, src, snx, sny, x0, y0, z0, dst, dnx, dny, dnz);
    }

    /**
     * Resamples float32 {@code src} onto a {@code dnx·dny·dnz} grid; {@code indexMap} holds the 12 doubles
     * of {@code Resampling.indexMap} (target index → source index), already on the device.
     */
    public void resampleF32(DeviceBuffer src, int snx, int sny, int snz, DeviceBuffer indexMap, DeviceBuffer dst,
                            int dnx, int dny, int dnz, boolean trilinear) {
        long sn = count(snx, sny, snz, "source");
        long dn = count(dnx, dny, dnz, "target");
        need(src, 4 * sn, "source");
        need(indexMap, 12 * 8, "index map");
        need(dst, 4 * dn, "resampled output");
        launch("hf_resample_f32", grid(dn), 0, src, snx, sny, snz, indexMap, dst, dnx, dny, dnz, trilinear ? 1 : 0);
    }

    /** {@code out[i] = 1} where {@code mask[i] == label} and {@code lo ≤ v[i] ≤ hi} (NaN bound: none), else 0. */
    public void rangeMask(DeviceBuffer v, DeviceBuffer mask, int label, long n, double lo, double hi, DeviceBuffer out) {
        positive(n);
        need(v, 4 * n, "intensities");
        need(mask, n, "mask");
        need(out, n, "range mask");
        launch("hf_range_mask", grid(n), 0, v, mask, label, n, lo, hi, out);
    }

    /** Clamps {@code n} float32 values in place to [lo, hi] (a NaN bound is no bound). */
    public void clipF32(DeviceBuffer v, long n, double lo, double hi) {
        positive(n);
        need(v, 4 * n, "intensities");
        launch("hf_clip_f32", grid(n), 0, v, n, lo, hi);
    }

    /** IBSI fixed bin number: levels 1..ng where {@code mask[i] != 0}, 0 elsewhere; {@code lo, hi} the ROI's range. */
    public void discretiseFixedBinNumber(DeviceBuffer v, DeviceBuffer mask, long n, double lo, double hi, int ng, DeviceBuffer out) {
        positive(n);
        if (ng < 1) {
            throw new IllegalArgumentException("bin number must be >= 1, got " + ng);
        }
        need(v, 4 * n, "intensities");
        need(mask, n, "mask");
        need(out, 4 * n, "levels");
        launch("hf_discretise_fbn", grid(n), 0, v, mask, n, lo, hi, ng, out);
    }

    /** IBSI fixed bin size: {@code ⌊(v − low)/width⌋ + 1} where {@code mask[i] != 0}, 0 elsewhere. */
    public void discretiseFixedBinSize(DeviceBuffer v, DeviceBuffer mask, long n, double low, double width, DeviceBuffer out) {
        positive(n);
        if (!(width > 0)) {
            throw new IllegalArgumentException("bin width must be > 0, got " + width);
        }
        need(v, 4 * n, "intensities");
        need(mask, n, "mask");
        need(out, 4 * n, "levels");
        launch("hf_discretise_fbs", grid(n), 0, v, mask, n, low, width, out);
    }

    /**
     * Count, minimum, maximum, sum and sum of squares (float64) of {@code v} where {@code mask != 0}, into
     * {@code out} (5 doubles); {@code partials} holds {@value #REDUCE_BLOCKS} × 5 doubles of scratch.
     */
    public void maskedMoments(DeviceBuffer v, DeviceBuffer mask, long n, DeviceBuffer partials, DeviceBuffer out) {
        positive(n);
        need(v, 4 * n, "intensities");
        need(mask, n, "mask");
        need(partials, 8L * 5 * REDUCE_BLOCKS, "reduction scratch");
        need(out, 8 * 5, "moments");
        launch("hf_masked_partials", Dim3.of(REDUCE_BLOCKS), 0, v, mask, n, partials);
        launch("hf_reduce_partials", Dim3.of(1), 0, partials, REDUCE_BLOCKS, out);
    }

    /** Adds the counts of grey levels 1..nbins in {@code levels} to {@code hist} (uint64 per bin; zero it first). */
    public void histogram(DeviceBuffer levels, long n, int nbins, DeviceBuffer hist) {
        positive(n);
        if (nbins < 1 || nbins > MAX_HISTOGRAM_BINS) {
            throw new IllegalArgumentException("histogram bins must be in 1.." + MAX_HISTOGRAM_BINS + ", got " + nbins);
        }
        need(levels, 4 * n, "levels");
        need(hist, 8L * nbins, "histogram");
        launch("hf_histogram", grid(n), 4 * nbins, levels, n, nbins, hist);
    }
}
