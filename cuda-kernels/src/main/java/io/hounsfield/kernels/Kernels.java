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
    /** Largest GLCM (ng × ng cells) counted per block in shared memory (48 KiB of uint32); larger ones use global atomics. */
    public static final int MAX_SHARED_GLCM_CELLS = 12 * 1024;
    /** Columns per grey level of the NGTDM counts. */
    public static final int TONE_COLUMNS = 27;

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
            Map.entry("hf_label_bounds", "pliiip"),
            Map.entry("hf_label_box", "piiiiiiiiiip"),
            Map.entry("hf_resample_f32", "piiippiiiiiii"),
            Map.entry("hf_resample_label", "piiiiiiiiippiiiiiii"),
            Map.entry("hf_level_slab", "piiiiiiiipddiddipp"),
            Map.entry("hf_slab_slice_counts", "piiip"),
            Map.entry("hf_range_mask", "ppilddp"),
            Map.entry("hf_clip_f32", "pldd"),
            Map.entry("hf_round_f32", "pl"),
            Map.entry("hf_discretise_fbn", "pplddip"),
            Map.entry("hf_discretise_fbs", "pplddp"),
            Map.entry("hf_masked_partials", "pplp"),
            Map.entry("hf_reduce_partials", "pip"),
            Map.entry("hf_histogram", "plip"),
            Map.entry("hf_glcm", "pliiip"),
            Map.entry("hf_glrlm", "pliip"),
            Map.entry("hf_glcm_dirs", "plpiip"),
            Map.entry("hf_glrlm_dirs", "plpilp"),
            Map.entry("hf_ngtdm", "pliiip"),
            Map.entry("hf_ngldm", "pliiiiip"),
            Map.entry("hf_zone_init", "plp"),
            Map.entry("hf_zone_merge", "pliiip"),
            Map.entry("hf_zone_flatten", "lpp"),
            Map.entry("hf_edge_init", "pliiip"),
            Map.entry("hf_edge_relax", "pliiipp"),
            Map.entry("hf_zone_distance", "lppp"),
            Map.entry("hf_zone_keys", "plpppp"),
            Map.entry("hf_row_prefix", "pilp"),
            Map.entry("hf_sphere_means", "pplpp"),
            Map.entry("hf_mask_extent", "piiiiiiiipddp"),
            Map.entry("hf_sphere_peaks", "pppiiiiiiiipdddp"),
            Map.entry("hf_index_moments", "piiiiiip"),
            Map.entry("hf_weighted_rows", "piiiiiiiipddp"),
            Map.entry("hf_mask_row_counts", "piiiiiiiipddp"),
            Map.entry("hf_gather_ranks", "piiiiiiiipddppipp"),
            Map.entry("hf_surface_configs", "piiip"),
            Map.entry("hf_surface_row_ends", "piiipp"),
            Map.entry("hf_inverse_distance_rows", "ppldp"),
            Map.entry("hf_value_counts", "piiiiiiiipddiip"),
            Map.entry("hf_value_table", "piiiiiiiipddippp"),
            Map.entry("hf_value_table_pack", "ppipp"),
            Map.entry("hf_bins_pack", "pipp"),
            Map.entry("hf_glcm_slices", "plippip"),
            Map.entry("hf_glrlm_slices", "plippilp"),
            Map.entry("hf_ngtdm_slices", "pliiplp"),
            Map.entry("hf_ngldm_slices", "pliiiplp"),
            Map.entry("hf_zone_keys_slices", "plppippp"));

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
        context.launch(module.function(name), grid, Dim3.of(BLOCK), sharedBytes, checked(name, args));
    }

    /** {@code args}, once they match the kernel's signature in kind and number. */
    private static Object[] checked(String name, Object... args) {
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
        return args;
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
     * The box of {@code label} in a uint8 label map of {@code nx × ny × nz} voxels, into {@code box}: six int32
     * {x0, y0, z0, x1, y1, z1} (inclusive), set by the caller to a value above any index (the first three) and −1
     * (the last three); they stay so when the label is absent.
     */
    public void labelBounds(DeviceBuffer labels, int nx, int ny, int nz, int label, DeviceBuffer box) {
        long n = count(nx, ny, nz, "label map");
        label(label, 0);
        need(labels, n, "label map");
        need(box, 6 * 4, "box");
        // Each thread reads eight labels at a time; the first n % 8 threads also one of the last labels.
        launch("hf_label_bounds", grid((n + 7) / 8), 0, labels, n, nx, ny, label, box);
    }

    /**
     * One byte per voxel of the box of {@code bnx × bny × bnz} at (x0, y0, z0) of a uint8 label map of
     * {@code nx × ny × nz} — 1 where the map holds {@code label}, 0 elsewhere and outside the map (the box may
     * reach past it: an ROI's box grown by one voxel).
     */
    public void labelBox(DeviceBuffer labels, int nx, int ny, int nz, int label, int x0, int y0, int z0, int bnx, int bny, int bnz,
                         DeviceBuffer out) {
        long n = count(nx, ny, nz, "label map");
        long bn = count(bnx, bny, bnz, "box");
        label(label, 0);
        need(labels, n, "label map");
        need(out, bn, "box bytes");
        launch("hf_label_box", grid(bn), 0, labels, nx, ny, nz, label, x0, y0, z0, bnx, bny, bnz, out);
    }

    private static void label(int label, int lowest) {
        if (label < lowest || label > 255) {
            throw new IllegalArgumentException("a label is " + lowest + "..255, got " + label);
        }
    }

    /**
     * Resamples float32 {@code src} onto a {@code dnx·dny·dnz} grid; {@code indexMap} holds the 12 doubles
     * of {@code Resampling.indexMap} (target index → source index), already on the device.
     */
    public void resampleF32(DeviceBuffer src, int snx, int sny, int snz, DeviceBuffer indexMap, DeviceBuffer dst,
                            int dnx, int dny, int dnz, boolean trilinear) {
        resampleF32(src, snx, sny, snz, indexMap, dst, dnx, dny, dnz, 0, 0, 0, trilinear);
    }

    /**
     * As above, for the block of the target grid that starts at target voxel (ox, oy, oz) and has
     * {@code dnx·dny·dnz} voxels: each is mapped with its target index, as in the whole grid.
     */
    public void resampleF32(DeviceBuffer src, int snx, int sny, int snz, DeviceBuffer indexMap, DeviceBuffer dst,
                            int dnx, int dny, int dnz, int ox, int oy, int oz, boolean trilinear) {
        long sn = count(snx, sny, snz, "source");
        long dn = count(dnx, dny, dnz, "target");
        if (ox < 0 || oy < 0 || oz < 0) {
            throw new IllegalArgumentException("a target block starts at a voxel index >= 0, got " + ox + "," + oy + "," + oz);
        }
        need(src, 4 * sn, "source");
        need(indexMap, 12 * 8, "index map");
        need(dst, 4 * dn, "resampled output");
        launch("hf_resample_f32", grid(dn), 0, src, snx, sny, snz, indexMap, dst, dnx, dny, dnz, ox, oy, oz, trilinear ? 1 : 0);
    }

    /**
     * IBSI's partial-volume rule for a label over the block (ox, oy, oz) + {@code dnx·dny·dnz} of the target
     * grid: the 0/1 indicator {@code ind}, given over the source box at (bx0, by0, bz0) of {@code bnx·bny·bnz}
     * voxels (0 outside it) in a source grid of {@code snx·sny·snz}, interpolated trilinearly exactly as
     * {@link #resampleF32} would, rounded to float and kept where ≥ 0.5: {@code label} there, 0 elsewhere.
     */
    public void resampleLabel(DeviceBuffer ind, int bx0, int by0, int bz0, int bnx, int bny, int bnz, int snx, int sny, int snz,
                              DeviceBuffer indexMap, DeviceBuffer dst, int dnx, int dny, int dnz, int ox, int oy, int oz, int label) {
        long bn = count(bnx, bny, bnz, "indicator box");
        count(snx, sny, snz, "source");
        long dn = count(dnx, dny, dnz, "target");
        if (ox < 0 || oy < 0 || oz < 0 || bx0 < 0 || by0 < 0 || bz0 < 0) {
            throw new IllegalArgumentException("boxes start at voxel indices >= 0, got target " + ox + "," + oy + "," + oz + ", source " + bx0 + ","
                    + by0 + "," + bz0);
        }
        label(label, 1);
        need(ind, bn, "indicator");
        need(indexMap, 12 * 8, "index map");
        need(dst, dn, "resampled mask");
        launch("hf_resample_label", grid(dn), 0, ind, bx0, by0, bz0, bnx, bny, bnz, snx, sny, snz, indexMap, dst, dnx, dny, dnz, ox, oy, oz, label);
    }

    /**
     * Re-segmentation and discretisation of an ROI's box into the texture builders' padded slab: each voxel of the
     * intensity mask {@code m} gets its grey level, the rest of the box 0, and {@code morph} marks the box's ROI bytes
     * (the morphological mask); {@code levels} (int32) and {@code morph} (bytes) hold the box grown by one voxel on
     * every side and must be zeroed. Fixed bin number: {@code a, b} the range, {@code ng}
     * levels; fixed bin size: {@code a} the lower bound, {@code b} the width.
     */
    public void levelSlab(IntensityMask m, boolean fixedBinNumber, double a, double b, int ng, DeviceBuffer levels, DeviceBuffer morph) {
        long bn = m.check();
        long pn = (long) (m.bnx() + 2) * (m.bny() + 2) * (m.bnz() + 2);
        need(levels, 4 * pn, "padded levels");
        need(morph, pn, "padded mask");
        launch("hf_level_slab", grid(bn), 0, m.args(NONE, fixedBinNumber ? 1 : 0, a, b, ng, levels, morph));
    }

    /**
     * Each interior slice's voxels of level &gt; 0 in a padded slab ({@link #levelSlab}'s levels, {@code px × py × pz}):
     * {@code counts} (pz − 2 uint64, zeroed by the caller).
     */
    public void slabSliceCounts(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer counts) {
        long n = count(px, py, pz, "padded slab");
        if (px < 3 || py < 3 || pz < 3) {
            throw new IllegalArgumentException("a padded slab is at least 3x3x3, got " + px + "x" + py + "x" + pz);
        }
        need(levels, 4 * n, "padded levels");
        need(counts, 8L * (pz - 2), "slice counts");
        launch("hf_slab_slice_counts", grid((long) (py - 2) * (pz - 2)), 0, levels, px, py, pz, counts);
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

    /** Rounds {@code n} float32 intensities to whole numbers in place, half to even (as {@link Math#rint}). */
    public void roundF32(DeviceBuffer v, long n) {
        positive(n);
        need(v, 4 * n, "intensities");
        launch("hf_round_f32", grid(n), 0, v, n);
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

    // ---- texture matrices on a padded slab of grey levels (px = nx + 2, py = ny + 2, n = px·py·(nz + 2) ints) ----

    /** Checks a padded slab: its dimensions, the buffer's size, and that voxel indices fit the kernels' int. */
    private static long slab(DeviceBuffer levels, int px, int py, int pz) {
        long n = count(px, py, pz, "padded slab");
        if (px < 3 || py < 3 || pz < 3) {
            throw new IllegalArgumentException("a padded slab is at least 3x3x3, got " + px + "x" + py + "x" + pz);
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a padded slab of " + n + " voxels exceeds the kernels' int indices");
        }
        need(levels, 4 * n, "grey levels");
        return n;
    }

    private static void levels(int ng) {
        if (ng < 1) {
            throw new IllegalArgumentException("ng must be >= 1, got " + ng);
        }
    }

    /** Adds the symmetric co-occurrence counts for neighbour offset {@code off} to {@code m} (ng × ng uint64; zero it first). */
    public void glcm(DeviceBuffer levels, int px, int py, int pz, int off, int ng, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        need(m, 8L * ng * ng, "co-occurrence matrix");
        boolean shared = (long) ng * ng <= MAX_SHARED_GLCM_CELLS;
        launch("hf_glcm", shared ? sharedGrid(n, 1) : grid(n), shared ? 4 * ng * ng : 0, levels, n, off, ng, shared ? 1 : 0, m);
    }

    /** Blocks that count in shared memory: each adds all its counters once, so few blocks per direction, many voxels each. */
    private static Dim3 sharedGrid(long n, int directions) {
        return Dim3.cover(Math.min(n, (long) BLOCK * Math.max(8, REDUCE_BLOCKS / directions)), BLOCK);
    }

    /**
     * {@link #glcm} for each of {@code ndirs} offsets (a device array of ints) in one launch: matrix d at
     * {@code m + d·ng²} (ndirs × ng × ng uint64; zero it first).
     */
    public void glcmDirections(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer offsets, int ndirs, int ng, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        directions(offsets, ndirs);
        need(m, 8L * ndirs * ng * ng, "co-occurrence matrices");
        boolean shared = (long) ng * ng <= MAX_SHARED_GLCM_CELLS;
        Dim3 g = shared ? sharedGrid(n, ndirs) : grid(n);
        context.launch(module.function("hf_glcm_dirs"), new Dim3(g.x(), ndirs, 1), Dim3.of(BLOCK), shared ? 4 * ng * ng : 0,
                checked("hf_glcm_dirs", levels, n, offsets, ng, shared ? 1 : 0, m));
    }

    /** {@link #glrlm} for each of {@code ndirs} offsets in one launch: matrix d at {@code m + d·ng·maxRun}. */
    public void glrlmDirections(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer offsets, int ndirs, int ng, int maxRun, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        directions(offsets, ndirs);
        if (maxRun < Math.max(px, Math.max(py, pz)) - 2) {
            throw new IllegalArgumentException("maxRun " + maxRun + " is shorter than the slab's longest line");
        }
        long cells = (long) ng * maxRun;
        need(m, 8L * ndirs * cells, "run-length matrices");
        context.launch(module.function("hf_glrlm_dirs"), new Dim3(grid(n).x(), ndirs, 1), Dim3.of(BLOCK), 0,
                checked("hf_glrlm_dirs", levels, n, offsets, maxRun, cells, m));
    }

    private static void directions(DeviceBuffer offsets, int ndirs) {
        if (ndirs < 1 || ndirs > 65_535) {
            throw new IllegalArgumentException("directions must be 1..65535, got " + ndirs);
        }
        need(offsets, 4L * ndirs, "direction offsets");
    }

    /** Adds (level, run length) counts along offset {@code off} to {@code m} (ng × maxRun uint64; zero it first). */
    public void glrlm(DeviceBuffer levels, int px, int py, int pz, int off, int ng, int maxRun, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        if (maxRun < Math.max(px, Math.max(py, pz)) - 2) {
            throw new IllegalArgumentException("maxRun " + maxRun + " is shorter than the slab's longest line");
        }
        need(m, 8L * ng * maxRun, "run-length matrix");
        launch("hf_glrlm", grid(n), 0, levels, n, off, maxRun, m);
    }

    /** Adds the NGTDM counts ({@value #TONE_COLUMNS} per level) to {@code c} (zero it first). */
    public void ngtdm(DeviceBuffer levels, int px, int py, int pz, boolean threeD, int ng, DeviceBuffer c) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        need(c, 8L * ng * TONE_COLUMNS, "tone counts");
        launch("hf_ngtdm", grid(n), 0, levels, n, px, py, threeD ? 1 : 0, c);
    }

    /** Adds the (level, dependence) counts to {@code m} (ng × (neighbours + 1) uint64; zero it first). */
    public void ngldm(DeviceBuffer levels, int px, int py, int pz, boolean threeD, int alpha, int ng, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        if (alpha < 0) {
            throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
        }
        int cols = (threeD ? 26 : 8) + 1;
        need(m, 8L * ng * cols, "dependence matrix");
        launch("hf_ngldm", grid(n), 0, levels, n, px, py, threeD ? 1 : 0, alpha, cols, m);
    }

    /**
     * Labels the zones of the slab (26-connected in 3D, 8 in a slice): {@code labels} (n ints) ends with each ROI
     * voxel's zone root (−1 elsewhere), {@code sizes} (n uint32, zero it first) with each root's voxel count.
     */
    public void zones(DeviceBuffer levels, int px, int py, int pz, boolean threeD, DeviceBuffer labels, DeviceBuffer sizes) {
        long n = slab(levels, px, py, pz);
        need(labels, 4 * n, "zone labels");
        need(sizes, 4 * n, "zone sizes");
        launch("hf_zone_init", grid(n), 0, levels, n, labels);
        launch("hf_zone_merge", grid(n), 0, levels, n, px, py, threeD ? 1 : 0, labels);
        launch("hf_zone_flatten", grid(n), 0, n, labels, sizes);
    }

    /** Counts each zone's voxels into {@code sizes} (n uint32, zero it first) from labels {@link #zones} made before. */
    public void zoneSizes(long n, DeviceBuffer labels, DeviceBuffer sizes) {
        positive(n);
        need(labels, 4 * n, "zone labels");
        need(sizes, 4 * n, "zone sizes");
        launch("hf_zone_flatten", grid(n), 0, n, labels, sizes);
    }

    /** Marks the morphological mask's edge: {@code dist} = 1 at the edge, 0 outside, "infinite" inside. */
    public void edgeInit(DeviceBuffer morph, int px, int py, int pz, boolean threeD, DeviceBuffer dist) {
        long n = count(px, py, pz, "padded slab");
        need(morph, n, "morphological mask");
        need(dist, 4 * n, "edge distances");
        launch("hf_edge_init", grid(n), 0, morph, n, px, py, threeD ? 1 : 0, dist);
    }

    /** One relaxation sweep of the edge distances; sets {@code changed} (an int) to 1 if any distance fell. */
    public void edgeRelax(DeviceBuffer morph, int px, int py, int pz, boolean threeD, DeviceBuffer dist, DeviceBuffer changed) {
        long n = count(px, py, pz, "padded slab");
        need(morph, n, "morphological mask");
        need(dist, 4 * n, "edge distances");
        need(changed, 4, "change flag");
        launch("hf_edge_relax", grid(n), 0, morph, n, px, py, threeD ? 1 : 0, dist, changed);
    }

    /** Each zone's smallest edge distance (at least 1) into {@code zoneDist} at its root (fill it with a large value first). */
    public void zoneDistance(long n, DeviceBuffer labels, DeviceBuffer dist, DeviceBuffer zoneDist) {
        positive(n);
        need(labels, 4 * n, "zone labels");
        need(dist, 4 * n, "edge distances");
        need(zoneDist, 4 * n, "zone distances");
        launch("hf_zone_distance", grid(n), 0, n, labels, dist, zoneDist);
    }

    /**
     * One key per zone, {@code level << 32 | value[root]}, into {@code keys} (n uint64) in any order; {@code count}
     * (a uint32, zero it first) ends with their number.
     */
    public void zoneKeys(DeviceBuffer levels, long n, DeviceBuffer labels, DeviceBuffer value, DeviceBuffer count, DeviceBuffer keys) {
        positive(n);
        need(levels, 4 * n, "grey levels");
        need(labels, 4 * n, "zone labels");
        need(value, 4 * n, "zone values");
        need(count, 4, "key count");
        need(keys, 8 * n, "zone keys");
        launch("hf_zone_keys", grid(n), 0, levels, n, labels, value, count, keys);
    }

    // ---- local intensity ----

    /** Row prefix sums (float64) of a block of {@code rows} rows of {@code w} floats, {@code w + 1} per row. */
    public void rowPrefix(DeviceBuffer block, int w, long rows, DeviceBuffer prefix) {
        if (w < 1) {
            throw new IllegalArgumentException("row width must be >= 1, got " + w);
        }
        positive(rows);
        need(block, 4L * w * rows, "block");
        need(prefix, 8L * (w + 1) * rows, "prefix sums");
        launch("hf_row_prefix", grid(rows), 0, block, w, rows, prefix);
    }

    /**
     * The sphere mean of each centre (voxel indices of an {@code nx × ny × nz} image) from the block's row prefix
     * sums; {@code chords} holds 4 × nchords ints (dy, dz, half-width, row offset). The other arguments place the
     * block (origin bx0, by0, bz0; rowsY rows per slice; stride = width + 1) and bound the sphere (rx, ry, rz,
     * and interior, the voxel count of an unclipped sphere).
     */
    public void sphereMeans(DeviceBuffer prefix, DeviceBuffer centres, long ncentres, DeviceBuffer layout, int[] packedLayout, DeviceBuffer out) {
        positive(ncentres);
        sphereLayout(layout, packedLayout);
        need(centres, 8 * ncentres, "centres");
        need(out, 8 * ncentres, "sphere means");
        launch("hf_sphere_means", grid(ncentres), 0, prefix, centres, ncentres, layout, out);
    }

    /** Ints in a sphere layout's header (io.hounsfield.core.backend.SphereLayout#packed): chords, image, block, reach, interior. */
    public static final int SPHERE_HEADER = 13;

    /** Checks that {@code layout} holds {@code packed} (already uploaded): a header and four ints per chord. */
    private static void sphereLayout(DeviceBuffer layout, int[] packed) {
        if (packed.length < SPHERE_HEADER || packed[0] < 1 || packed[12] < 1 || packed.length != SPHERE_HEADER + 4 * packed[0]) {
            throw new IllegalArgumentException("a sphere layout is " + SPHERE_HEADER + " ints and four per chord, with chords and voxels; got "
                    + packed.length + " ints");
        }
        count(packed[1], packed[2], packed[3], "image");
        need(layout, 4L * packed.length, "sphere layout");
    }

    /**
     * An intensity mask as the mask kernels read it (the leading parameters they share): the voxels of the box of
     * {@code bnx·bny·bnz} at (x0, y0, z0) of a float32 image {@code img} (rows of {@code nx}, slices of {@code nx·ny})
     * whose ROI byte ({@code roi}, one per box voxel) is non-zero and whose value lies in [lo, hi].
     */
    public record IntensityMask(DeviceBuffer img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny, int bnz, DeviceBuffer roi,
                                double lo, double hi) {

        /** Checks the box against the image and the buffers' sizes; the box's voxels. */
        long check() {
            long bn = count(bnx, bny, bnz, "box");
            imageBox(nx, ny, x0, y0, z0, bnx, bny);
            need(img, 4L * nx * ny * (z0 + bnz), "image");
            need(roi, bn, "ROI bytes");
            return bn;
        }

        /** The box's rows (y + bny·z). */
        long rows() {
            return (long) bny * bnz;
        }

        /** {@code head}, this mask's twelve parameters, then {@code tail}: a launch's arguments. */
        Object[] args(Object[] head, Object... tail) {
            Object[] mine = {img, nx, ny, x0, y0, z0, bnx, bny, bnz, roi, lo, hi};
            Object[] out = java.util.Arrays.copyOf(head, head.length + mine.length + tail.length);
            System.arraycopy(mine, 0, out, head.length, mine.length);
            System.arraycopy(tail, 0, out, head.length + mine.length, tail.length);
            return out;
        }
    }

    private static final Object[] NONE = {};

    /** A grid of a few blocks per SM for a reduction over {@code n} elements that folds each block's part in shared memory. */
    private static Dim3 reduceGrid(long n) {
        return Dim3.cover(Math.min(n, (long) BLOCK * REDUCE_BLOCKS), BLOCK);
    }

    /**
     * The intensity mask's extent: {@code ext} gets seven int32 — x0, y0, z0, x1, y1, z1 (inclusive), set by the caller
     * to a large value and −1, and the largest value's order key (float bits, negatives with their magnitude bits
     * flipped), set to {@link Integer#MIN_VALUE}.
     */
    public void maskExtent(IntensityMask m, DeviceBuffer ext) {
        long bn = m.check();
        need(ext, 7 * 4, "extent");
        launch("hf_mask_extent", reduceGrid(bn), 0, m.args(NONE, ext));
    }

    /** Checks that a box at (x0, y0, z0) of {@code bnx × bny} lies within rows of {@code nx} and slices of {@code nx × ny}. */
    private static void imageBox(int nx, int ny, int x0, int y0, int z0, int bnx, int bny) {
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + bnx > nx || y0 + bny > ny) {
            throw new IllegalArgumentException("box at " + x0 + "," + y0 + "," + z0 + " of " + bnx + "x" + bny + " leaves rows of " + nx + " x " + ny);
        }
    }

    /** Uint64 in {@link #indexMoments}' output: n, Σi, Σj, Σk, Σii, Σij, Σik, Σjj, Σjk, Σkk. */
    public static final int MOMENTS = 10;

    /**
     * Exact index moments of an ROI ({@code roi}: one byte per voxel of a box of {@code bnx·bny·bnz} at x0, y0, z0,
     * non-zero in the ROI) into {@code out} ({@value #MOMENTS} uint64, zeroed by the caller), in image indices.
     */
    public void indexMoments(DeviceBuffer roi, int x0, int y0, int z0, int bnx, int bny, int bnz, DeviceBuffer out) {
        long bn = count(bnx, bny, bnz, "box");
        if (x0 < 0 || y0 < 0 || z0 < 0) {
            throw new IllegalArgumentException("a box starts at indices >= 0, got " + x0 + "," + y0 + "," + z0);
        }
        need(roi, bn, "ROI bytes");
        need(out, 8L * MOMENTS, "moments");
        launch("hf_index_moments", reduceGrid(bn), 0, roi, x0, y0, z0, bnx, bny, bnz, out);
    }

    /**
     * The intensity mask's weighted sums row by row: {@code rows} gets five float64 per row (y + bny·z) of the box —
     * Σw, Σw·i, Σw·j, Σw·k over its voxels in x order, and their count.
     */
    public void weightedRows(IntensityMask m, DeviceBuffer rows) {
        m.check();
        need(rows, 5 * 8 * m.rows(), "row sums");
        launch("hf_weighted_rows", grid(m.rows()), 0, m.args(NONE, rows));
    }

    /** The intensity mask's voxels per row of the box (as {@link #weightedRows}): one int32 per row into {@code counts}. */
    public void maskRowCounts(IntensityMask m, DeviceBuffer counts) {
        m.check();
        need(counts, 4 * m.rows(), "row counts");
        launch("hf_mask_row_counts", grid(m.rows()), 0, m.args(NONE, counts));
    }

    /**
     * The intensity mask's voxels at {@code n} ascending {@code ranks} (positions in index order; {@code start}: the
     * rank of each box row's first voxel, one int32 per row): their image indices (int64) and values (float64),
     * at each rank's position.
     */
    public void gatherRanks(IntensityMask m, DeviceBuffer start, DeviceBuffer ranks, int n, DeviceBuffer idx, DeviceBuffer val) {
        m.check();
        if (n < 1) {
            throw new IllegalArgumentException("ranks to gather must be >= 1, got " + n);
        }
        need(start, 4 * m.rows(), "row starts");
        need(ranks, 4L * n, "ranks");
        need(idx, 8L * n, "indices");
        need(val, 8L * n, "values");
        launch("hf_gather_ranks", grid(m.rows()), 0, m.args(NONE, start, ranks, n, idx, val));
    }

    /**
     * IBSI's intensity peaks over the intensity mask, of the image the layout describes: {@code peaks} (two uint64,
     * zeroed by the caller) get the order keys of the largest sphere mean among the voxels holding {@code top}
     * (local peak) and of the largest of all (global peak).
     */
    public void spherePeaks(DeviceBuffer prefix, DeviceBuffer layout, int[] packedLayout, IntensityMask m, float top, DeviceBuffer peaks) {
        sphereLayout(layout, packedLayout);
        long bn = m.check();
        if (m.nx() != packedLayout[1] || m.ny() != packedLayout[2] || m.z0() + m.bnz() > packedLayout[3]) {
            throw new IllegalArgumentException("the intensity mask's image (rows " + m.nx() + ", slices " + m.nx() + "x" + m.ny() + ", box to z "
                    + (m.z0() + m.bnz()) + ") is not the sphere layout's " + packedLayout[1] + "x" + packedLayout[2] + "x" + packedLayout[3]);
        }
        need(peaks, 2 * 8, "peaks");
        launch("hf_sphere_peaks", reduceGrid(bn), 0, m.args(new Object[] {prefix, layout}, (double) top, peaks));
    }

    // ---- the marching-cubes surface as counts (io.hounsfield.core.mesh.SurfaceCounts) ----

    /** Uint64 per configuration in {@link #surfaceConfigs}'s output: cubes, Σi, Σj, Σk. */
    public static final int SURFACE_CONFIG_WORDS = 256 * 4;

    /** The number of rows (doubled Y, Z) of {@link #surfaceRowEnds} for a padded box of {@code py × pz}. */
    public static long surfaceRows(int py, int pz) {
        return (2L * py - 1) * (2L * pz - 1);
    }

    private static long occupancy(DeviceBuffer occ, int px, int py, int pz) {
        long n = count(px, py, pz, "padded occupancy");
        if (px < 2 || py < 2 || pz < 2) {
            throw new IllegalArgumentException("a padded occupancy is at least 2x2x2, got " + px + "x" + py + "x" + pz);
        }
        if (surfaceRows(py, pz) > Integer.MAX_VALUE || 2L * px > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a padded occupancy of " + px + "x" + py + "x" + pz + " exceeds the kernels' int rows");
        }
        need(occ, n, "occupancy");
        return n;
    }

    /**
     * Adds, per cube configuration of the 0/1 {@code occ} (px × py × pz bytes), its cube count and the sums
     * of its cubes' i, j, k into {@code out} ({@value #SURFACE_CONFIG_WORDS} uint64, zeroed by the caller).
     */
    public void surfaceConfigs(DeviceBuffer occ, int px, int py, int pz, DeviceBuffer out) {
        long cubes = (long) (px - 1) * (py - 1) * (pz - 1);
        occupancy(occ, px, py, pz);
        need(out, 8L * SURFACE_CONFIG_WORDS, "configuration counts");
        // Few blocks: each adds its 1024 shared counters to the output once.
        launch("hf_surface_configs", reduceGrid(cubes), 0, occ, px, py, pz, out);
    }

    /**
     * The two ends of each row of surface vertices of {@code occ}: {@code lo} and {@code hi} hold one int per
     * row ({@link #surfaceRows}), set by the caller to a large value and to −1.
     */
    public void surfaceRowEnds(DeviceBuffer occ, int px, int py, int pz, DeviceBuffer lo, DeviceBuffer hi) {
        long n = occupancy(occ, px, py, pz);
        long rows = surfaceRows(py, pz);
        need(lo, 4 * rows, "row lower ends");
        need(hi, 4 * rows, "row upper ends");
        launch("hf_surface_row_ends", grid(n), 0, occ, px, py, pz, lo, hi);
    }

    // ---- Moran's I and Geary's C ----

    /**
     * Each row's inverse-distance sums over the pairs (i, j &gt; i) of {@code m} points: {@code positions}
     * holds 3m doubles (x, y, z), {@code values} m, {@code rows} gets 3m (Σw, (x_i − μ)·Σw(x_j − μ), Σw(x_i − x_j)²
     * for all rows, then the next term).
     */
    public void inverseDistanceRows(DeviceBuffer positions, DeviceBuffer values, long m, double mean, DeviceBuffer rows) {
        positive(m);
        need(positions, 24 * m, "positions");
        need(values, 8 * m, "values");
        need(rows, 24 * m, "row sums");
        // Few threads with long rows: small blocks spread them over more multiprocessors.
        context.launch(module.function("hf_inverse_distance_rows"), Dim3.cover(Math.min(m, 64L * 65_535), 64), Dim3.of(64), 0,
                checked("hf_inverse_distance_rows", positions, values, m, mean, rows));
    }

    // ---- first-order families ----

    /**
     * Counts the values of the voxels of a box of a float32 integral image ({@code snx × sny} per slice; box at
     * x0, y0, z0 of size bx × by × bz; {@code in}: one byte per box voxel, non-zero in the ROI) that lie in
     * [lo, hi], into {@code hist} ({@code nbins} uint32, zeroed by the caller; value v in bin v − offset).
     */
    public void valueCounts(DeviceBuffer img, int snx, int sny, int snz, int x0, int y0, int z0, int bx, int by, int bz, DeviceBuffer in,
                            double lo, double hi, int offset, int nbins, DeviceBuffer hist) {
        long src = count(snx, sny, snz, "image");
        long n = count(bx, by, bz, "box");
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + bx > snx || y0 + by > sny || z0 + bz > snz) {
            throw new IllegalArgumentException("box at " + x0 + "," + y0 + "," + z0 + " of " + bx + "x" + by + "x" + bz + " is not inside "
                    + snx + "x" + sny + "x" + snz);
        }
        if (nbins < 1) {
            throw new IllegalArgumentException("value counts need bins, got " + nbins);
        }
        need(img, 4 * src, "image");
        need(in, n, "ROI bytes");
        need(hist, 4L * nbins, "value counts");
        launch("hf_value_counts", grid(n), 0, img, snx, sny, x0, y0, z0, bx, by, bz, in, lo, hi, offset, nbins, hist);
    }

    /** The most hash slots {@link #valueTable} takes. */
    public static final int MAX_VALUE_SLOTS = 1 << 24;

    /**
     * The distinct values (and counts) of the ROI voxels of a box of a float32 image that lie in [lo, hi], into a
     * hash table of {@code slots} entries (a power of two): {@code keys} (uint32 float bits, filled with 0xFF bytes
     * by the caller), {@code counts} (uint32, zeroed) and {@code overflow} (one uint32, zeroed: values that found
     * no slot). The box is placed as in {@link #valueCounts}.
     */
    public void valueTable(DeviceBuffer img, int snx, int sny, int snz, int x0, int y0, int z0, int bx, int by, int bz, DeviceBuffer in,
                           double lo, double hi, int slots, DeviceBuffer keys, DeviceBuffer counts, DeviceBuffer overflow) {
        long src = count(snx, sny, snz, "image");
        long n = count(bx, by, bz, "box");
        if (x0 < 0 || y0 < 0 || z0 < 0 || x0 + bx > snx || y0 + by > sny || z0 + bz > snz) {
            throw new IllegalArgumentException("box at " + x0 + "," + y0 + "," + z0 + " of " + bx + "x" + by + "x" + bz + " is not inside "
                    + snx + "x" + sny + "x" + snz);
        }
        slots(slots);
        need(img, 4 * src, "image");
        need(in, n, "ROI bytes");
        need(keys, 4L * slots, "table keys");
        need(counts, 4L * slots, "table counts");
        need(overflow, 4, "overflow count");
        launch("hf_value_table", grid(n), 0, img, snx, sny, x0, y0, z0, bx, by, bz, in, lo, hi, slots, keys, counts, overflow);
    }

    /** Packs the occupied entries of a value table into {@code out} (2 uint32 each); {@code used} (zeroed) ends with their number. */
    public void valueTablePack(DeviceBuffer keys, DeviceBuffer counts, int slots, DeviceBuffer used, DeviceBuffer out) {
        slots(slots);
        need(keys, 4L * slots, "table keys");
        need(counts, 4L * slots, "table counts");
        need(used, 4, "entry count");
        need(out, 8L * slots, "packed entries");
        launch("hf_value_table_pack", grid(slots), 0, keys, counts, slots, used, out);
    }

    private static void slots(int slots) {
        if (slots < 1 || slots > MAX_VALUE_SLOTS || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("hash slots must be a power of two up to " + MAX_VALUE_SLOTS + ", got " + slots);
        }
    }

    /** Packs the non-zero bins of a uint32 histogram into {@code out} (bin, count: 2 uint32 each); {@code used} (zeroed) ends with their number. */
    public void binsPack(DeviceBuffer hist, int nbins, DeviceBuffer used, DeviceBuffer out) {
        if (nbins < 1) {
            throw new IllegalArgumentException("a histogram has bins, got " + nbins);
        }
        need(hist, 4L * nbins, "histogram");
        need(used, 4, "entry count");
        need(out, 8L * nbins, "packed bins");
        launch("hf_bins_pack", grid(nbins), 0, hist, nbins, used, out);
    }

    // ---- per-slice matrices of in-plane directions, every slice in one launch ----

    private static void sliceSlots(DeviceBuffer slotOf, int pz, int nslots) {
        if (nslots < 1) {
            throw new IllegalArgumentException("slices must be >= 1, got " + nslots);
        }
        need(slotOf, 4L * pz, "slice slots");
    }

    /**
     * GLCMs of {@code ndirs} in-plane offsets on each slice of the slab with a slot ({@code slotOf}: pz ints, −1
     * for none): matrix (slot, d) at {@code m + (slot·ndirs + d)·ng²} (zero it first).
     */
    public void glcmSlices(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer offsets, int ndirs, DeviceBuffer slotOf, int nslots, int ng,
                           DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        directions(offsets, ndirs);
        sliceSlots(slotOf, pz, nslots);
        need(m, 8L * nslots * ndirs * ng * ng, "per-slice co-occurrence matrices");
        context.launch(module.function("hf_glcm_slices"), new Dim3(grid(n).x(), ndirs, 1), Dim3.of(BLOCK), 0,
                checked("hf_glcm_slices", levels, n, px * py, offsets, slotOf, ng, m));
    }

    /** Run-length matrices likewise: matrix (slot, d) at {@code m + (slot·ndirs + d)·ng·maxRun}. */
    public void glrlmSlices(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer offsets, int ndirs, DeviceBuffer slotOf, int nslots, int ng,
                            int maxRun, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        directions(offsets, ndirs);
        sliceSlots(slotOf, pz, nslots);
        if (maxRun < Math.max(px, py) - 2) {
            throw new IllegalArgumentException("maxRun " + maxRun + " is shorter than the slab's longest line");
        }
        long cells = (long) ng * maxRun;
        need(m, 8L * nslots * ndirs * cells, "per-slice run-length matrices");
        context.launch(module.function("hf_glrlm_slices"), new Dim3(grid(n).x(), ndirs, 1), Dim3.of(BLOCK), 0,
                checked("hf_glrlm_slices", levels, n, px * py, offsets, slotOf, maxRun, cells, m));
    }

    /** NGTDM counts ({@value #TONE_COLUMNS} per level) of each slice with a slot, in-plane: slot k's at {@code c + k·ng·27} (zero it first). */
    public void ngtdmSlices(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer slotOf, int nslots, int ng, DeviceBuffer c) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        sliceSlots(slotOf, pz, nslots);
        long cells = (long) ng * TONE_COLUMNS;
        need(c, 8L * nslots * cells, "per-slice tone counts");
        launch("hf_ngtdm_slices", grid(n), 0, levels, n, px, py, slotOf, cells, c);
    }

    /** NGLDM counts (9 columns per level in a slice) of each slice with a slot: slot k's at {@code m + k·ng·9} (zero it first). */
    public void ngldmSlices(DeviceBuffer levels, int px, int py, int pz, int alpha, DeviceBuffer slotOf, int nslots, int ng, DeviceBuffer m) {
        long n = slab(levels, px, py, pz);
        levels(ng);
        if (alpha < 0) {
            throw new IllegalArgumentException("alpha must be >= 0, got " + alpha);
        }
        sliceSlots(slotOf, pz, nslots);
        long cells = (long) ng * 9;
        need(m, 8L * nslots * cells, "per-slice dependence counts");
        launch("hf_ngldm_slices", grid(n), 0, levels, n, px, py, alpha, slotOf, cells, m);
    }

    /**
     * One key per zone of each slice with a slot ({@code slot << 48 | level << 32 | value[root]}) after in-plane
     * labelling of a whole slab ({@link #zones} with threeD false); {@code count} (zeroed) ends with their number.
     */
    public void zoneKeysSlices(DeviceBuffer levels, int px, int py, int pz, DeviceBuffer labels, DeviceBuffer value, DeviceBuffer slotOf,
                               int nslots, DeviceBuffer count, DeviceBuffer keys) {
        long n = slab(levels, px, py, pz);
        sliceSlots(slotOf, pz, nslots);
        if (nslots >= 1 << 15) {
            throw new IllegalArgumentException("zone keys hold slots below 2^15, got " + nslots);
        }
        need(labels, 4 * n, "zone labels");
        need(value, 4 * n, "zone values");
        need(count, 4, "key count");
        need(keys, 8 * n, "zone keys");
        launch("hf_zone_keys_slices", grid(n), 0, levels, n, labels, value, px * py, slotOf, count, keys);
    }
}
