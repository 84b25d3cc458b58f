package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.mesh.SurfaceCounts;
import io.hounsfield.cuda.testing.FakeCuda;
import io.hounsfield.kernels.KernelImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CUDA backend's plumbing on the fake driver (no GPU): what runs where, the CPU fallbacks on
 * out-of-memory and on a sticky error, the volume cache, and that closing frees everything. The fake
 * runs no kernels, so device results are checked only on a real GPU ({@code CudaBackendParityTest}).
 */
class CudaBackendTest {

    private static final Geometry G = Geometry.axisAligned(new Extent(17, 13, 9), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO);
    private final CpuBackend cpu = CpuBackend.sequential();
    private CudaBackend cuda;
    private Volume image;
    private Mask mask;

    @BeforeEach
    void open() {
        assumeTrue(KernelImage.isBuilt(), KernelImage.status());
        FakeCuda.reset();
        cuda = CudaBackend.open(FakeCuda.library(), 0, cpu, CudaBackend.DEFAULT_BUDGET_FRACTION, true);
        SplittableRandom r = new SplittableRandom(7);
        image = Volume.allocate(G, VoxelType.INT16);
        mask = Mask.allocate(G);
        for (long i = 0; i < image.voxelCount(); i++) {
            image.set(i, r.nextInt(-1000, 1000));
            mask.set(i, r.nextInt(2));
        }
    }

    @AfterEach
    void close() {
        if (cuda != null) {
            boolean usable = cuda.usable();
            cuda.close();
            image.close();
            mask.close();
            for (FakeCuda.Live what : FakeCuda.Live.values()) {
                // After a sticky error the driver refuses every call, frees included: that memory goes with the process.
                if (usable || what != FakeCuda.Live.ALLOCATIONS) {
                    assertThat(FakeCuda.live(what)).as("%s left on the device after close", what).isZero();
                }
            }
        }
    }

    @Test
    void operationsWithoutDeviceKernelsRunOnTheCpu() {
        assertThat(cuda.name()).isEqualTo("cuda");
        assertThat(cuda.device().name()).isEqualTo("Hounsfield fake CUDA device");
        RoiSample s = cuda.sample(image, mask, 1);
        assertThat(s.indices()).containsExactly(cpu.sample(image, mask, 1).indices());
        Geometry coarse = Resampling.centredGrid(G, new Vec3(2, 2, 2));
        try (Volume a = cuda.resample(image, coarse, Interpolation.TRICUBIC); Volume b = cpu.resample(image, coarse, Interpolation.TRICUBIC)) {
            for (long i = 0; i < a.voxelCount(); i++) {
                assertThat(a.get(i)).isEqualTo(b.get(i));
            }
        }
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(2);
        assertThat(cuda.metrics().deviceOps()).isZero();
    }

    @Test
    void cropsOfVolumesNotKeptOnTheDeviceAreCutOnTheCpu() {
        var box = new io.hounsfield.core.IndexBox(1, 2, 3, 10, 11, 8);
        try (Volume a = cuda.crop(image, box); Volume b = image.crop(box)) {
            assertThat(a.segment().mismatch(b.segment())).isEqualTo(-1L);
        }
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(1);
        cuda.keep(image, "kept");
        try (Volume a = cuda.crop(image, box)) {
            assertThat(a.type()).isEqualTo(VoxelType.INT16);
        }
        assertThat(cuda.metrics().deviceOps()).isEqualTo(1);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_crop_f32");
        cuda.release(image);
    }

    @Test
    void deviceOperationsReachTheDevice() {
        try (Mask m = cuda.rangeMask(image, mask, 1, -100, 100)) {
            assertThat(m.geometry()).isEqualTo(G);
        }
        cuda.moments(image, mask, 1);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(2);
        assertThat(cuda.metrics().cpuFallbacks()).isZero();
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_reduce_partials");
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).as("temporaries freed").isZero();
        // Each operation uploads the int16 image and the labels: two bytes and one byte per voxel.
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 2 * 3L * 17 * 13 * 9);
    }

    /** A level grid of random levels 1..ng inside a random mask (0 outside). */
    private static io.hounsfield.core.texture.LevelGrid grid(int nx, int ny, int nz, int ng, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] lv = new int[nx * ny * nz];
        boolean[] morph = new boolean[lv.length];
        for (int k = 0; k < lv.length; k++) {
            morph[k] = r.nextInt(5) > 0;
            lv[k] = morph[k] ? 1 + r.nextInt(ng) : 0;
        }
        return new io.hounsfield.core.texture.LevelGrid(nx, ny, nz, lv, morph, ng);
    }

    /** Texture matrices go to the device; a slab is uploaded once for every matrix of the same slices. */
    @Test
    void textureMatricesRunOnTheDeviceWithOneUploadPerSlab() {
        var g = grid(12, 10, 6, 7, 3);
        FakeCuda.setParamCount(6); // hf_glcm's: the fake records that many
        cuda.cooccurrence(g, new int[] {1, 0, 0}, 0, 6);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glcm");
        assertThat(FakeCuda.lastParam(2)).as("the padded offset of (1, 0, 0)").isEqualTo(1L);
        assertThat(FakeCuda.lastParam(4)).as("7 x 7 counts fit shared memory").isEqualTo(1L);
        cuda.cooccurrence(g, new int[] {0, 1, 1}, 0, 6);
        assertThat((int) FakeCuda.lastParam(2)).isEqualTo(14 * (1 + 12));
        FakeCuda.setParamCount(0); // the next kernels take fewer parameters
        cuda.runLengths(g, new int[] {1, 1, 1}, 0, 6);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glrlm");
        cuda.toneDifferenceCounts(g, 0, 6, true);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_ngtdm");
        cuda.dependence(g, 0, 6, true, 0);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_ngldm");
        cuda.sizeZones(g, 0, 6, true);
        cuda.distanceZones(g, 0, 6, true);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_zone_keys");
        long padded = 14L * 12 * 8;
        // One upload of the slab (int levels and byte mask), then only counts and flags cross the bus.
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 5 * padded);
        cuda.cooccurrence(g, new int[] {1, 0, 0}, 2, 3); // a 2D slice: a new slab
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 5 * padded + 5L * 14 * 12 * 3);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(8);
        assertThat(cuda.metrics().cpuFallbacks()).isZero();
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).as("only the cached slab stays").isEqualTo(2);
    }

    @Test
    void aTextureMatrixThatDoesNotFitTheDeviceIsBuiltOnTheCpu() {
        var g = grid(30, 30, 20, 40, 5);
        FakeCuda.setMemoryLimit(1000);
        assertThat(cuda.cooccurrence(g, new int[] {1, 1, 0}, 0, 20))
                .containsExactly(io.hounsfield.core.texture.TextureMatrices.cooccurrence(g, new int[] {1, 1, 0}, 0, 20));
        assertThat(cuda.sizeZones(g, 0, 20, true)).usingRecursiveComparison()
                .isEqualTo(io.hounsfield.core.texture.TextureMatrices.sizeZones(g, 0, 20, true));
        assertThat(cuda.metrics().outOfMemoryFallbacks()).isEqualTo(2);
        FakeCuda.setMemoryLimit(1L << 30);
    }

    /** Sphere means go to the device with only the block the spheres touch; int32 and float64 images stay on the CPU. */
    @Test
    void sphereMeansUploadTheBlockTheSpheresTouch() {
        long[] centres = {image.extent().index(8, 6, 4), image.extent().index(9, 6, 4)};
        cuda.sphereMeans(image, centres, 1.0); // radius 1 mm at 0.8 x 0.8 x 2.5 mm: chords reach 1 voxel in x and y
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_sphere_means");
        assertThat(cuda.metrics().deviceOps()).isEqualTo(1);
        // The block: x 7..10, y 5..7, z 4 — 12 floats — plus the 2 centres and the sphere's layout (a 13-int header, then 3
        // chords, dy = -1..1, of 4 ints).
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 4L * 12 + 8 * 2 + 4 * (13 + 4 * 3));
        try (Volume wide = image.convertTo(VoxelType.FLOAT64)) {
            assertThat(cuda.sphereMeans(wide, centres, 1.0)).containsExactly(cpu.sphereMeans(wide, centres, 1.0));
        }
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(1);
    }

    /**
     * The surface counts: only the label's padded occupancy goes up, both surface kernels run, and what comes
     * back is read with the sentinels the backend set (the fake runs no kernel: no cube, every row empty).
     */
    @Test
    void surfaceCountsUploadTheOccupancyAndReadTheSentinelsBack() {
        IndexBox box = mask.boundingBox(1).orElseThrow();
        assertThat(cuda.surfaceCounts(mask, 1, box)).isEqualTo(SurfaceCounts.empty());
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_surface_row_ends");
        assertThat(cuda.metrics().deviceOps()).isEqualTo(1);
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", (long) (17 + 2) * (13 + 2) * (9 + 2));
        // Out of device memory: the CPU's counts, which are not empty.
        FakeCuda.setMemoryLimit(1000);
        assertThat(cuda.surfaceCounts(mask, 1, box)).isEqualTo(cpu.surfaceCounts(mask, 1, box)).isNotEqualTo(SurfaceCounts.empty());
        FakeCuda.setMemoryLimit(1L << 30);
        assertThat(cuda.metrics().outOfMemoryFallbacks()).isEqualTo(1);
    }

    /**
     * Value counts: for an int16 image not kept on the device only the box goes up (float32 values and one ROI
     * byte a voxel) and only the non-zero bins of the 65 536 come back; a kept image is read in place; float images are counted on the CPU.
     */
    @Test
    void valueCountsUploadTheBoxOrReadTheKeptImage() {
        IndexBox box = new IndexBox(2, 3, 1, 12, 10, 8);
        assertThat(cuda.valueCounts(image, mask, 1, box, -100, Double.NaN)).isEqualTo(new ValueCounts(new double[0], new long[0]));
        assertThat(FakeCuda.launches("hf_value_counts")).isEqualTo(1);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_bins_pack");
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 5L * 10 * 7 * 7).containsEntry("bytes_downloaded", 4L); // the number of non-zero bins (none: the fake runs no kernel)
        cuda.keep(image, "kept");
        cuda.valueCounts(image, mask, 1, box, Double.NaN, Double.NaN);
        // The whole image once (as int16, converted on the device), then only the ROI bytes.
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 5L * 10 * 7 * 7 + 2 * image.voxelCount() + 10 * 7 * 7);
        cuda.release(image);
        // Float32 (resampled images): a device hash table, its used entries packed (none here: the fake runs no kernel).
        try (Volume f = image.convertTo(VoxelType.FLOAT32)) {
            assertThat(cuda.valueCounts(f, mask, 1, box, -100, 100)).isEqualTo(new ValueCounts(new double[0], new long[0]));
            assertThat(FakeCuda.launches("hf_value_table")).isEqualTo(1);
            assertThat(FakeCuda.lastKernel()).isEqualTo("hf_value_table_pack");
        }
        // int32 and float64 do not fit float32 exactly: the CPU counts them.
        try (Volume w = image.convertTo(VoxelType.FLOAT64)) {
            assertThat(cuda.valueCounts(w, mask, 1, box, -100, 100)).isEqualTo(cpu.valueCounts(w, mask, 1, box, -100, 100));
        }
        assertThat(cuda.metrics().deviceOps()).isEqualTo(3);
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(1);
    }

    /** The packed table's (float bits, count) entries come out ascending by value, negatives and zero included. */
    @Test
    void valueTableEntriesAreSortedByValue() {
        float[] v = {3.5f, -0.25f, 0f, -1000f, 1e-20f, Float.MAX_VALUE, -Float.MIN_VALUE, 42f};
        int[] entries = new int[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            entries[2 * i] = Float.floatToRawIntBits(v[i]);
            entries[2 * i + 1] = i + 1;
        }
        ValueCounts vc = CudaBackend.fromTable(entries);
        assertThat(vc.values()).containsExactly(-1000, -0.25, -Float.MIN_VALUE, 0, 1e-20f, 3.5, 42, Float.MAX_VALUE);
        assertThat(vc.counts()).containsExactly(4, 2, 7, 3, 5, 1, 8, 6);
    }

    /** Moran's pairwise sums: positions and values go up, three doubles a point come back. */
    @Test
    void inverseDistanceSumsSendThePointsAndReadTheRowsBack() {
        double[] p = {0, 0, 0, 1, 0, 0, 0, 2, 0}, x = {1, 2, 4};
        cuda.inverseDistanceSums(p, x, 2);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_inverse_distance_rows");
        assertThat(FakeCuda.lastDim(3)).isEqualTo(64);
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 8L * 12).containsEntry("bytes_downloaded", 24L * 3);
        // One point has no pair: the CPU answers.
        assertThat(cuda.inverseDistanceSums(new double[] {1, 2, 3}, new double[] {5}, 5)).containsExactly(0, 0, 0);
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(1);
    }

    /** A kept image's sphere block is cut on the device: only the centres and the chord table cross the bus. */
    @Test
    void sphereMeansOfAKeptImageCutTheBlockOnTheDevice() {
        cuda.keep(image, "kept");
        long[] centres = {image.extent().index(8, 6, 4), image.extent().index(9, 6, 4)};
        cuda.sphereMeans(image, centres, 1.0);
        // The image once (int16, converted on the device) into the cache, then the centres and the layout (13 + 3 chords of 4 ints).
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 2 * image.voxelCount() + 8 * 2 + 4 * (13 + 4 * 3));
        cuda.sphereMeans(image, centres, 1.0);
        assertThat(cuda.metrics().snapshot()).containsEntry("bytes_uploaded", 2 * image.voxelCount() + 2 * (8 * 2 + 4 * (13 + 4 * 3)));
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_sphere_means");
        assertThat(cuda.metrics().cacheHits()).isEqualTo(1);
        cuda.release(image);
    }

    /** All 13 GLCM (and GLRLM) directions are one device operation: one slab upload, one launch, one download. */
    @Test
    void allDirectionsOfAMatrixAreOneDeviceOperation() {
        var g = grid(12, 10, 6, 7, 3);
        long[][] m = cuda.cooccurrences(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_3D, 0, 6);
        assertThat(m).hasNumberOfRows(13);
        assertThat(m[12]).hasSize(7 * 7);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glcm_dirs");
        assertThat(FakeCuda.lastDim(1)).as("grid y: one row of blocks per direction").isEqualTo(13);
        assertThat(cuda.runLengths(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_2D, 2, 3)).hasSize(4);
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glrlm_dirs");
        assertThat(FakeCuda.lastDim(1)).isEqualTo(4);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(2);
        // Out of memory: the CPU's matrices, direction by direction.
        FakeCuda.setMemoryLimit(1000);
        long[][] onCpu = cuda.cooccurrences(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_3D, 0, 6);
        FakeCuda.setMemoryLimit(1L << 30);
        for (int i = 0; i < 13; i++) {
            assertThat(onCpu[i]).containsExactly(cpu.cooccurrence(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_3D[i], 0, 6));
        }
    }

    /** GLSZM and GLDZM share the slab's zone labels: one labelling per connectivity, sizes counted again. */
    @Test
    void zoneFamiliesShareTheSlabsLabels() {
        var g = grid(12, 10, 6, 7, 3);
        cuda.sizeZones(g, 0, 6, true);
        cuda.distanceZones(g, 0, 6, true);
        assertThat(FakeCuda.launches("hf_zone_merge")).isEqualTo(1);
        assertThat(FakeCuda.launches("hf_zone_flatten")).isEqualTo(2);
        cuda.sizeZones(g, 0, 6, false); // in-slice connectivity: labelled anew
        assertThat(FakeCuda.launches("hf_zone_merge")).isEqualTo(2);
        cuda.distanceZones(g, 0, 6, false);
        assertThat(FakeCuda.launches("hf_zone_merge")).isEqualTo(2);
        cuda.sizeZones(g, 2, 3, false); // another slab
        assertThat(FakeCuda.launches("hf_zone_merge")).isEqualTo(3);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(5);
    }

    /** The 2D aggregations' per-slice matrices: every slice and direction in one device operation. */
    @Test
    void everySliceOfAnInPlaneMatrixIsOneDeviceOperation() {
        var g = grid(12, 10, 6, 7, 3);
        int[] slices = {0, 2, 3, 5};
        long[][][] m = cuda.cooccurrenceSlices(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_2D, slices);
        assertThat(m.length).isEqualTo(4);
        assertThat(m[3]).hasNumberOfRows(4);
        assertThat(FakeCuda.launches("hf_glcm_slices")).isEqualTo(1);
        assertThat(FakeCuda.lastDim(1)).isEqualTo(4);
        assertThat(cuda.runLengthSlices(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_2D, slices)[2]).hasSize(4);
        assertThat(FakeCuda.launches("hf_glrlm_slices")).isEqualTo(1);
        assertThat(cuda.toneDifferenceCountSlices(g, slices)).hasNumberOfRows(4);
        assertThat(cuda.dependenceSlices(g, slices, 0)).hasSize(4);
        assertThat(FakeCuda.launches("hf_ngtdm_slices")).isEqualTo(1);
        assertThat(FakeCuda.launches("hf_ngldm_slices")).isEqualTo(1);
        assertThat(cuda.sizeZoneSlices(g, slices)).hasSize(4);
        assertThat(cuda.distanceZoneSlices(g, slices)).hasSize(4);
        assertThat(FakeCuda.launches("hf_zone_keys_slices")).isEqualTo(2);
        assertThat(FakeCuda.launches("hf_zone_merge")).as("in-slice zones labelled once for both").isEqualTo(1);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(6);
        // Directions out of the plane are not per-slice matrices: slice by slice, directions batched.
        cuda.cooccurrenceSlices(g, io.hounsfield.core.texture.TextureMatrices.DIRECTIONS_3D, new int[] {1, 2});
        assertThat(FakeCuda.launches("hf_glcm_slices")).isEqualTo(1);
        assertThat(FakeCuda.launches("hf_glcm_dirs")).isEqualTo(2);
    }

    /** A request's events get the device time of each operation and every operation that ran on the CPU instead. */
    @Test
    void boundEventsRecordDeviceTimesAndFallbacks() {
        BackendEvents events = new BackendEvents();
        var g = grid(12, 10, 6, 7, 3);
        ScopedValue.where(BackendEvents.CURRENT, events).run(() -> {
            cuda.cooccurrence(g, new int[] {1, 0, 0}, 0, 6);
            cuda.moments(image, mask, 1);
            FakeCuda.setMemoryLimit(1000);
            cuda.sizeZones(g, 0, 6, true);
            cuda.sizeZones(g, 0, 6, false);
            FakeCuda.setMemoryLimit(1L << 30);
        });
        assertThat(events.deviceTimings()).containsOnlyKeys("cooccurrence", "moments");
        assertThat(events.notes()).containsExactly("sizeZones ran on the CPU: the device ran out of memory (2 times)");
        // Unbound: nothing is recorded anywhere, and nothing fails.
        cuda.cooccurrence(g, new int[] {1, 0, 0}, 0, 6);
        assertThat(events.deviceTimings()).containsOnlyKeys("cooccurrence", "moments");
    }

    @Test
    void outOfMemoryEmptiesTheCacheRetriesThenRunsOnTheCpu() {
        FakeCuda.setMemoryLimit(1000); // smaller than the image
        assertThat(cuda.moments(image, mask, 1)).isEqualTo(cpu.moments(image, mask, 1));
        assertThat(cuda.metrics().outOfMemoryFallbacks()).isEqualTo(1);
        assertThat(cuda.usable()).isTrue();
        FakeCuda.setMemoryLimit(1L << 30);
        cuda.moments(image, mask, 1);
        assertThat(cuda.metrics().deviceOps()).isEqualTo(1);
    }

    @Test
    void aStickyErrorSendsThisAndEveryLaterRequestToTheCpu() {
        FakeCuda.failLaunches(700); // CUDA_ERROR_ILLEGAL_ADDRESS, as a faulting kernel
        assertThat(cuda.moments(image, mask, 1)).isEqualTo(cpu.moments(image, mask, 1));
        assertThat(cuda.usable()).isFalse();
        try (Volume a = cuda.discretise(image, mask, 1, Binning.fixedBinSize(-1000, 25));
             Volume b = cpu.discretise(image, mask, 1, Binning.fixedBinSize(-1000, 25))) {
            for (long i = 0; i < a.voxelCount(); i++) {
                assertThat(a.getInt(i)).isEqualTo(b.getInt(i));
            }
        }
        assertThat(cuda.metrics().cpuFallbacks()).isEqualTo(2);
        assertThat(cuda.metrics().snapshot().get("cpu_fallbacks_device_unusable")).isEqualTo(2);
    }

    /** Keeping, releasing and rounding on a device that refuses work neither throw nor change what the CPU computes. */
    @Test
    void keepReleaseAndRoundAfterAStickyErrorLeaveTheWorkToTheCpu() {
        FakeCuda.failLaunches(700);
        cuda.moments(image, mask, 1);
        assertThat(cuda.usable()).isFalse();
        try (Volume f = image.convertTo(VoxelType.FLOAT32)) {
            f.set(0, 2.5);
            cuda.keep(f, "after the error");
            cuda.roundInPlace(f);
            assertThat(f.get(0)).isEqualTo(2.0); // half to even, on the host
            assertThat(cuda.moments(f, mask, 1)).isEqualTo(cpu.moments(f, mask, 1));
            cuda.release(f);
        }
    }

    /**
     * A kept image's device copy is rounded with its host copy (the values are checked on the emulated kernels
     * by DeviceResidencyTest); a volume with no device copy is rounded on the host only.
     */
    @Test
    void roundingAKeptVolumeRoundsItsDeviceCopy() {
        try (Volume f = image.convertTo(VoxelType.FLOAT32); Volume g = image.convertTo(VoxelType.FLOAT32)) {
            f.set(0, 1.5);
            g.set(0, 1.5);
            cuda.keep(f, "fractions");
            cuda.moments(f, mask, 1); // uploads the kept copy
            cuda.roundInPlace(f);
            assertThat(FakeCuda.launches("hf_round_f32")).isEqualTo(1);
            cuda.roundInPlace(g);
            assertThat(FakeCuda.launches("hf_round_f32")).isEqualTo(1);
            assertThat(f.get(0)).isEqualTo(2.0);
            assertThat(g.get(0)).isEqualTo(2.0);
            cuda.release(f);
        }
    }

    @Test
    void keepsNestAndAHoldReleasesOnce() {
        cuda.keep(image, "series 1");
        try (var held = cuda.hold("request", image)) {
            cuda.moments(image, mask, 1); // uploads the kept copy
            held.close();
            held.close(); // a second close releases nothing more
            assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).as("still kept by the first keep").isEqualTo(1);
        }
        cuda.moments(image, mask, 1);
        assertThat(cuda.metrics().cacheHits()).isEqualTo(1);
        cuda.release(image);
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isZero();
        cuda.release(image); // more releases than keeps: nothing
        cuda.moments(image, mask, 1);
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).as("not kept: uploaded for the operation only").isZero();
    }

    @Test
    void aVolumeTooLargeForTheCacheIsNotKept() {
        cuda.close();
        long oneCopy = 4 * image.voxelCount();
        cuda = CudaBackend.open(FakeCuda.library(), 0, cpu, 0.5 * oneCopy / (1L << 30), false);
        cuda.keep(image, "larger than the budget");
        cuda.moments(image, mask, 1);
        cuda.moments(image, mask, 1);
        assertThat(cuda.keptBytes()).isZero();
        assertThat(cuda.metrics().snapshot().get("cache_misses")).as("not kept: no misses counted").isZero();
        cuda.release(image);
    }

    @Test
    void keptVolumesStayOnTheDeviceUntilReleased() {
        cuda.keep(image, "series 1");
        cuda.moments(image, mask, 1);
        cuda.moments(image, mask, 0);
        assertThat(cuda.metrics().cacheHits()).isEqualTo(1);
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).as("the cached float32 copy").isEqualTo(1);
        cuda.release(image);
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isZero();
    }

    @Test
    void theCacheEvictsTheLeastRecentlyUsedVolumeBeyondItsBudget() {
        cuda.close();
        FakeCuda.reset();
        long oneCopy = 4L * image.voxelCount();
        cuda = CudaBackend.open(FakeCuda.library(), 0, cpu, 1.5 * oneCopy / (1L << 30), false);
        try (Volume other = Volume.allocate(G, VoxelType.INT16)) {
            cuda.keep(image, "a");
            cuda.keep(other, "b");
            cuda.moments(image, mask, 1);
            cuda.moments(other, mask, 1); // evicts image's copy
            cuda.moments(image, mask, 1); // uploads it again, evicting other's
            assertThat(cuda.metrics().cacheEvictions()).isEqualTo(2);
            assertThat(cuda.metrics().cacheHits()).isZero();
            assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isEqualTo(1);
            cuda.release(other);
        }
    }
}
