package io.hounsfield.core.backend;

import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.mesh.MarchingCubes;
import io.hounsfield.core.mesh.Mesh;
import io.hounsfield.core.mesh.SurfaceCounts;
import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;

import java.util.List;

/**
 * The seam between what is computed and where (DESIGN.md, "Backends"): the heavy voxel work of a
 * request. Implementations return the same results — exactly where they are counts or sets, within
 * 1e-9 relative where they are float sums — so feature formulas, written once in Java over these small
 * results, agree on every backend. The CPU implementation is the reference. Operations grow with the
 * feature families (discretisation, histograms, meshes, texture matrices).
 */
public interface ComputeBackend {

    /** "cpu", "cuda". */
    String name();

    /**
     * Declares that {@code volume} will not change until {@link #release}, so a backend may hold a copy of it
     * near its compute (a device copy) between operations; {@code key} names it in logs. Keeps nest: a volume
     * kept twice stays kept until released twice. Default: nothing.
     */
    default void keep(Volume volume, String key) {
    }

    /** Ends one {@link #keep}: at the last, any held copy of {@code volume} is freed. Default: nothing. */
    default void release(Volume volume) {
    }

    /**
     * Keeps {@code volumes} until the returned scope closes, which releases each once: requests run inside it on
     * the same volumes (several labels of one mask) find them kept, and a device backend uploads them once.
     */
    default Held hold(String key, Volume... volumes) {
        List<Volume> kept = new java.util.ArrayList<>(volumes.length);
        try {
            for (Volume v : volumes) {
                keep(v, key);
                kept.add(v);
            }
        } catch (RuntimeException | Error e) {
            new Held(this, kept).close();
            throw e;
        }
        return new Held(this, List.copyOf(kept));
    }

    /** Volumes kept by {@link #hold}; closing releases them (once, however often it is closed). */
    final class Held implements AutoCloseable {
        private final ComputeBackend backend;
        private List<Volume> volumes;

        private Held(ComputeBackend backend, List<Volume> volumes) {
            this.backend = backend;
            this.volumes = volumes;
        }

        @Override
        public synchronized void close() {
            List<Volume> v = volumes;
            volumes = List.of();
            for (int i = v.size() - 1; i >= 0; i--) {
                backend.release(v.get(i));
            }
        }
    }

    /**
     * Rounds every voxel of {@code volume} to a whole number in place, half to even ({@link Math#rint}), and
     * any copy the backend holds of it likewise.
     */
    default void roundInPlace(Volume volume) {
        for (long i = 0; i < volume.voxelCount(); i++) {
            volume.set(i, Math.rint(volume.get(i)));
        }
    }

    /** The smallest box holding every voxel of {@code label}, or empty if the label is absent ({@link Mask#boundingBox(int)}). */
    default java.util.Optional<io.hounsfield.core.IndexBox> boundingBox(Mask mask, int label) {
        return mask.boundingBox(label);
    }

    /**
     * The intensities and positions of every voxel of {@code label}.
     *
     * @throws IllegalArgumentException if image and mask are not on the same grid
     */
    default RoiSample sample(Volume image, Mask mask, int label) {
        return sample(image, mask, label, io.hounsfield.core.IndexBox.of(image.extent()));
    }

    /**
     * As {@link #sample(Volume, Mask, int)}, looking only inside {@code box} (a box known to hold every
     * voxel of the label, e.g. its bounding box), so small ROIs in large volumes cost little.
     */
    RoiSample sample(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box);

    /**
     * For each voxel index in {@code centres}, the mean image intensity over the voxels whose centres lie
     * within {@code radiusMm} of it (image voxels, whether in the ROI or not; voxels outside the image do
     * not count). The IBSI local intensity features use a 1 cm³ sphere.
     */
    double[] sphereMeans(Volume image, long[] centres, double radiusMm);

    /**
     * IBSI's intensity peaks (§3.2) of an intensity mask — the voxels of {@code label} inside {@code box} whose
     * value lies in [{@code lo}, {@code hi}] (±∞: unbounded): the {@link #sphereMeans} of radius {@code radiusMm} at
     * its voxels, reduced to {local peak: the largest mean among the voxels holding the mask's maximum, global peak:
     * the largest mean}; both −∞ for an empty mask. {@code sample} gives those voxels, for a backend that works from
     * them (the default: one mean per voxel, {@link #peaks}); a device may find them in its own copies instead and
     * bring back only the two peaks.
     */
    default double[] intensityPeaks(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi, double radiusMm,
                                    java.util.function.Supplier<RoiSample> sample) {
        RoiSample s = sample.get();
        return peaks(s.intensities(), s.size() == 0 ? new double[0] : sphereMeans(image, s.indices(), radiusMm));
    }

    /**
     * {@link RoiSums#indexMoments}: the count of the voxels of {@code label} inside {@code box} and the exact sums
     * and sums of products of their indices — morphology's voxel count, centre of mass and axes. {@code sample}
     * gives the voxels to a backend that works from them; a device counts them in its copy of the mask.
     */
    default long[] indexMoments(Mask mask, int label, io.hounsfield.core.IndexBox box, java.util.function.Supplier<RoiSample> sample) {
        return RoiSums.indexMoments(sample.get().indices(), mask.geometry().extent());
    }

    /**
     * {@link RoiSums#weightedSums}: Σw, Σw·i, Σw·j, Σw·k over the intensity mask (voxels of {@code label} inside
     * {@code box} with lo ≤ value ≤ hi; ±∞: unbounded), weights the image's values, row by row — morphology's
     * intensity-weighted centre of mass and integrated intensity. {@code sample} gives those voxels.
     */
    default double[] weightedSums(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi,
                                  java.util.function.Supplier<RoiSample> sample) {
        return RoiSums.weightedSums(sample.get(), image.extent());
    }

    /**
     * The voxels of the intensity mask (as {@link #weightedSums}) at positions {@code ranks} (ascending, 0-based,
     * in index order): their values and indices — Moran's I's points. {@code sample} gives the mask's voxels.
     */
    default RoiSample gather(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi, int[] ranks,
                             java.util.function.Supplier<RoiSample> sample) {
        return RoiSums.pick(sample.get(), ranks);
    }

    /** {local peak, global peak} from each voxel's value and sphere mean ({@link #intensityPeaks}). */
    static double[] peaks(double[] values, double[] means) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        double local = Double.NEGATIVE_INFINITY, global = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            global = Math.max(global, means[i]);
            if (values[i] == max) {
                local = Math.max(local, means[i]);
            }
        }
        return new double[] {local, global};
    }

    /**
     * {@code image} resampled onto {@code target} (any grid in the same world), as float32. Points
     * outside the source grid take the value of the nearest edge voxel.
     */
    Volume resample(Volume image, Geometry target, Interpolation interpolation);

    /**
     * The block {@code block} of {@link #resample(Volume, Geometry, Interpolation)}'s result, equal to those
     * voxels of the whole-grid result bit for bit (each maps through its index in {@code target}), on the
     * grid {@code target.crop(block)}: a request needs only the block around its ROI. The default resamples
     * the whole grid and cuts the block out.
     */
    default Volume resample(Volume image, Geometry target, Interpolation interpolation, io.hounsfield.core.IndexBox block) {
        try (Volume whole = resample(image, target, interpolation)) {
            Volume cut = whole.crop(block);
            return cut;
        }
    }

    /**
     * IBSI's partial-volume rule for a mask: the label's 0/1 indicator resampled trilinearly (as
     * {@link #resample(Volume, Geometry, Interpolation, io.hounsfield.core.IndexBox)} would, float32 values)
     * and kept where ≥ 0.5, over {@code block} of {@code target}; {@code roi} holds every voxel of the label.
     * Equal bit for bit to building that indicator on the mask's whole grid and resampling it (backends read
     * the label around {@code roi} instead).
     */
    Mask resampleLabel(Mask mask, int label, io.hounsfield.core.IndexBox roi, Geometry target, io.hounsfield.core.IndexBox block);

    /**
     * {@link #resample(Volume, Geometry, Interpolation, io.hounsfield.core.IndexBox)}, the result {@link #keep kept}
     * under {@code key} (release it as any kept volume, then close it). A device backend may leave the result where
     * it computed it and its host voxels unfilled until something reads them through the backend (an operation on
     * the CPU, a sample) or {@link #hostCopy} asks: read its voxels only through the backend or after
     * {@code hostCopy}, and only before its release. The default resamples and keeps.
     */
    default Volume resampleKept(Volume image, Geometry target, Interpolation interpolation, io.hounsfield.core.IndexBox block, String key) {
        return Resampling.keptOrClosed(this, resample(image, target, interpolation, block), key);
    }

    /**
     * {@link #resampleLabel}, its label map {@link #keep kept} under {@code key}, with the promise of
     * {@link #resampleKept}: read its voxels through the backend or after {@link #hostCopy} of its label map.
     */
    default Mask resampleLabelKept(Mask mask, int label, io.hounsfield.core.IndexBox roi, Geometry target, io.hounsfield.core.IndexBox block,
                                   String key) {
        Mask m = resampleLabel(mask, label, roi, target, block);
        Resampling.keptOrClosed(this, m.asVolume(), key);
        return m;
    }

    /** Fills the host voxels of a volume {@link #resampleKept} (or a label map {@link #resampleLabelKept}) left unfilled. Default: nothing to fill. */
    default void hostCopy(Volume volume) {
    }

    /** The marching-cubes surface (iso-level 0.5) of {@code label}, in world coordinates (IBSI §3.1). */
    default Mesh mesh(Mask mask, int label) {
        return mask.boundingBox(label).map(b -> mesh(mask, label, b)).orElseGet(() -> new Mesh(new double[0], new int[0]));
    }

    /** As {@link #mesh(Mask, int)}, given a box known to hold every voxel of the label (its bounding box). */
    Mesh mesh(Mask mask, int label, io.hounsfield.core.IndexBox box);

    /**
     * What the morphology features need of the marching-cubes surface of {@code label} (configuration
     * counts, corner sums, row ends), as exact integers, given a box holding every voxel of the label; the
     * surface itself is not built. Equal on every backend.
     */
    default SurfaceCounts surfaceCounts(Mask mask, int label, io.hounsfield.core.IndexBox box) {
        return MarchingCubes.counts(mask, label, box);
    }

    /**
     * Pairwise sums over ordered pairs of distinct points i ≠ j, weighted by inverse distance
     * w = 1 / |p_i − p_j| (IBSI's Moran's I and Geary's C, §3.1.27–28): {Σ w, Σ w (x_i − μ)(x_j − μ),
     * Σ w (x_i − x_j)²}. Quadratic in the number of points: callers bound it.
     *
     * @param positions x, y, z of each point (mm), distinct points
     * @param values    one value per point
     * @param mean      μ
     */
    double[] inverseDistanceSums(double[] positions, double[] values, double mean);

    /**
     * The distinct values of {@code image}, ascending, with how many voxels hold each, over the voxels of
     * {@code label} inside {@code box} (a box holding every voxel of the label) whose value lies in
     * [{@code lo}, {@code hi}] (a NaN bound is no bound): the intensity mask's values, which the first-order
     * families need. Exact on every backend.
     */
    default ValueCounts valueCounts(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi) {
        return valueCounts(image, mask, label, box, lo, hi, () -> ValueCounts.within(sample(image, mask, label, box).intensities(), lo, hi));
    }

    /**
     * As {@link #valueCounts(Volume, Mask, int, io.hounsfield.core.IndexBox, double, double)}, for a caller that
     * already holds those voxels' values on the host: {@code values} gives them to a backend that counts on the
     * host (the CPU does, without reading the image again); a device counts from the image.
     */
    default ValueCounts valueCounts(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi,
                                    java.util.function.Supplier<double[]> values) {
        return ValueCounts.of(values.get());
    }

    /** Count, min, max, sum and sum of squares of {@code image} over the voxels of {@code label}. */
    Moments moments(Volume image, Mask mask, int label);

    /**
     * A new mask holding 1 where {@code mask} has {@code label} and {@code lo ≤ image ≤ hi}, 0 elsewhere
     * (IBSI re-segmentation by range); a NaN bound is no bound.
     */
    Mask rangeMask(Volume image, Mask mask, int label, double lo, double hi);

    /** The grey levels of {@code image} over the voxels of {@code label} (int32; 0 elsewhere), by {@code binning}. */
    Volume discretise(Volume image, Mask mask, int label, Binning binning);

    /** How many voxels of {@code levels} (an int32 volume) hold each grey level 1..nbins ({@code [g − 1]}); others are not counted. */
    long[] histogram(Volume levels, int nbins);

    /** A copy of the block {@code box} of {@code image}, in its voxel type. */
    Volume crop(Volume image, io.hounsfield.core.IndexBox box);

    /** {@code image} as float32 with every value clamped to [lo, hi] (a NaN bound is no bound). */
    Volume clip(Volume image, double lo, double hi);

    // ---- texture matrices (IBSI §3.6–3.11) over slices z0..z1−1 of a level grid; the CPU builds them
    // unless a backend has its own (the formulas over them are shared Java in radiomics-gpu) ----

    /**
     * The grey-level grid of an ROI's box {@code box}: voxels of {@code label} with {@code lo ≤ value ≤ hi}
     * (±∞: unbounded) get their level under {@code binning} (1..{@code ng}), the rest 0; the morphological
     * mask is the label. It must equal {@code host.get()} — the caller's grid from its ROI samples, which the
     * default returns; a device backend may build it from its own copy of the image and keep it there for
     * the texture matrices that follow.
     */
    default LevelGrid levelGrid(Volume image, Mask mask, int label, io.hounsfield.core.IndexBox box, double lo, double hi, Binning binning, int ng,
                                java.util.function.Supplier<LevelGrid> host) {
        return host.get();
    }

    /** Symmetric co-occurrence counts for direction {@code d}, {@code ng × ng}. */
    default long[] cooccurrence(LevelGrid grid, int[] d, int z0, int z1) {
        return TextureMatrices.cooccurrence(grid, d, z0, z1);
    }

    /** {@link #cooccurrence} for each direction of {@code dirs}, in order (a backend may build them in one pass). */
    default long[][] cooccurrences(LevelGrid grid, int[][] dirs, int z0, int z1) {
        return each(dirs.length, long[][]::new, i -> cooccurrence(grid, dirs[i], z0, z1));
    }

    /** {@link #runLengths} for each direction of {@code dirs}, in order. */
    default SparseCounts[] runLengths(LevelGrid grid, int[][] dirs, int z0, int z1) {
        return each(dirs.length, SparseCounts[]::new, i -> runLengths(grid, dirs[i], z0, z1));
    }

    /**
     * {@link #cooccurrences} on each slice z of {@code slices} (slices z..z+1), {@code [slice][direction]}; the
     * directions lie in the slice (a backend may build every slice in one pass).
     */
    default long[][][] cooccurrenceSlices(LevelGrid grid, int[][] dirs, int[] slices) {
        return each(slices.length, long[][][]::new, s -> cooccurrences(grid, dirs, slices[s], slices[s] + 1));
    }

    /** {@link #runLengths(LevelGrid, int[][], int, int)} on each slice of {@code slices}, {@code [slice][direction]}. */
    default SparseCounts[][] runLengthSlices(LevelGrid grid, int[][] dirs, int[] slices) {
        return each(slices.length, SparseCounts[][]::new, s -> runLengths(grid, dirs, slices[s], slices[s] + 1));
    }

    /** (level, run length) counts along {@code d}. */
    default SparseCounts runLengths(LevelGrid grid, int[] d, int z0, int z1) {
        return TextureMatrices.runLengths(grid, d, z0, z1);
    }

    /** (level, zone size) counts; 26-connected zones in 3D, 8-connected in a slice. */
    default SparseCounts sizeZones(LevelGrid grid, int z0, int z1, boolean threeD) {
        return TextureMatrices.sizeZones(grid, z0, z1, threeD);
    }

    /** (level, zone distance to the ROI edge) counts. */
    default SparseCounts distanceZones(LevelGrid grid, int z0, int z1, boolean threeD) {
        return TextureMatrices.distanceZones(grid, z0, z1, threeD);
    }

    /**
     * Neighbourhood grey tone differences as exact integer counts ({@link TextureMatrices#toneDifferenceCounts});
     * {@link TextureMatrices#toneDifferences(long[], int)} turns them into IBSI's s_i and n_i.
     */
    default long[] toneDifferenceCounts(LevelGrid grid, int z0, int z1, boolean threeD) {
        return TextureMatrices.toneDifferenceCounts(grid, z0, z1, threeD);
    }

    /** {@link #sizeZones} of each slice z of {@code slices} (8-connected in the slice), in order. */
    default SparseCounts[] sizeZoneSlices(LevelGrid grid, int[] slices) {
        return each(slices.length, SparseCounts[]::new, s -> sizeZones(grid, slices[s], slices[s] + 1, false));
    }

    /** {@link #distanceZones} of each slice z of {@code slices} (in-slice zones and distances), in order. */
    default SparseCounts[] distanceZoneSlices(LevelGrid grid, int[] slices) {
        return each(slices.length, SparseCounts[]::new, s -> distanceZones(grid, slices[s], slices[s] + 1, false));
    }

    /** {@link #toneDifferenceCounts} of each slice z of {@code slices} (in-plane neighbours), in order. */
    default long[][] toneDifferenceCountSlices(LevelGrid grid, int[] slices) {
        return each(slices.length, long[][]::new, s -> toneDifferenceCounts(grid, slices[s], slices[s] + 1, false));
    }

    /** {@link #dependence} of each slice z of {@code slices} (in-plane neighbours), in order. */
    default SparseCounts[] dependenceSlices(LevelGrid grid, int[] slices, int alpha) {
        return each(slices.length, SparseCounts[]::new, s -> dependence(grid, slices[s], slices[s] + 1, false, alpha));
    }

    /** (level, dependence count) counts with coarseness {@code alpha}. */
    default SparseCounts dependence(LevelGrid grid, int z0, int z1, boolean threeD, int alpha) {
        return TextureMatrices.dependence(grid, z0, z1, threeD, alpha);
    }

    /** {@code one(i)} for i in 0..n−1, in order, into a new array (the per-direction and per-slice defaults). */
    private static <T> T[] each(int n, java.util.function.IntFunction<T[]> array, java.util.function.IntFunction<T> one) {
        T[] out = array.apply(n);
        for (int i = 0; i < n; i++) {
            out[i] = one.apply(i);
        }
        return out;
    }
}
