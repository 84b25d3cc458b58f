package io.hounsfield.radiomics;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.CudaBackend;
import io.hounsfield.core.backend.ParityBackends;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What crosses the bus for one request once the image is on the device (the server's case): every family of
 * the CT phantom's lesion with the image kept moves a small fraction of the image — the ROI's boxes, the
 * texture slab, the sphere block's centres, small matrices — and its features are the CPU's. Runs on a GPU or
 * on the emulated kernels (ParityBackends).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class DeviceResidencyTest {

    static boolean available() {
        return ParityBackends.available();
    }

    /**
     * A request's features, the bytes it moved up and down, how often a kept volume was not on the device, and how
     * many operations ran on the CPU (the ROI sample among them: the CUDA backend takes it on the CPU).
     */
    private record Request(FeatureSet features, long up, long down, long cacheMisses, long cpuOperations) {
    }

    /** Every family of the lesion, bin width 25, 3D; resampled to {@code spacing} and rounded when it is not null (IBSI's CT configurations). */
    private static RadiomicsSettings lesion(io.hounsfield.core.Vec3 spacing) {
        return new RadiomicsSettings(CtBody.LESION, spacing, io.hounsfield.core.backend.Interpolation.TRILINEAR, spacing != null, Double.NaN,
                Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES,
                List.of("3D"), "HU");
    }

    /** The CPU backend's features of the same request. */
    private static List<FeatureValue> onCpu(Phantom ct, RadiomicsSettings s) {
        return new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(ct.image(), ct.mask(), s).features();
    }

    /** Keeps the image, runs a first request (the image goes up once), and measures the second. */
    private static Request secondRequest(CudaBackend cuda, Phantom ct, RadiomicsSettings s) {
        return secondRequest(cuda, ct, s, false);
    }

    /** As {@link #secondRequest(CudaBackend, Phantom, RadiomicsSettings)}, keeping the mask too when asked (the server keeps both); releases them. */
    private static Request secondRequest(CudaBackend cuda, Phantom ct, RadiomicsSettings s, boolean keepMask) {
        cuda.keep(ct.image(), "ct");
        if (keepMask) {
            cuda.keep(ct.mask().asVolume(), "ct mask");
        }
        try {
            new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
            Map<String, Long> before = cuda.metrics().snapshot();
            FeatureSet fs = new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
            Map<String, Long> after = cuda.metrics().snapshot();
            return new Request(fs, after.get("bytes_uploaded") - before.get("bytes_uploaded"), after.get("bytes_downloaded") - before.get("bytes_downloaded"),
                    after.get("cache_misses") - before.get("cache_misses"), after.get("cpu_fallbacks") - before.get("cpu_fallbacks"));
        } finally {
            cuda.release(ct.image());
            cuda.release(ct.mask().asVolume());
        }
    }

    @Test
    void aRequestOnAKeptImageMovesLittleOfIt() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = lesion(null);
            Request r = secondRequest(cuda, ct, s);
            FeatureSet onDevice = r.features();
            long up = r.up(), down = r.down();
            long imageBytes = 4 * ct.image().voxelCount(); // its float32 copy on the device
            System.out.printf("DeviceResidencyTest (%s): lesion request with the image kept: %d B up, %d B down (image %d B); notes %s%n",
                    ParityBackends.where(), up, down, imageBytes, onDevice.provenance().notes());
            assertThat(onDevice.provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            assertThat(up + down).as("bytes moved by a request on a kept image").isLessThan(imageBytes / 50);
            assertThat(onDevice.features()).containsExactlyElementsOf(onCpu(ct, s));
        }
    }

    /**
     * Resampled to 1 mm and rounded (IBSI's CT configurations): the block the device resampled stays there as
     * the request's kept copy and is rounded there, so it never crosses the bus back up — it comes down once, as
     * the request's host copy — and the features are still the CPU's.
     */
    @Test
    void aResampledRequestKeepsTheResampledBlockOnTheDevice() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = lesion(new io.hounsfield.core.Vec3(1, 1, 1));
            Request r = secondRequest(cuda, ct, s);
            FeatureSet onDevice = r.features();
            long up = r.up(), down = r.down();
            var target = io.hounsfield.core.backend.Resampling.centredGrid(ct.image().geometry(), new io.hounsfield.core.Vec3(1, 1, 1));
            var block = FeatureExtractor.resampledBlock(ct.image().geometry(), ct.mask().boundingBox(CtBody.LESION).orElseThrow(), target);
            long blockBytes = 4 * block.extent().voxelCount();
            System.out.printf("DeviceResidencyTest (%s): lesion request at 1 mm, rounded, image kept: %d B up, %d B down (resampled block %d B)%n",
                    ParityBackends.where(), up, down, blockBytes);
            assertThat(onDevice.provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            // Everything else it uploads (the label's indicator for resampling, Moran's points, the spheres' layout: ~160 kB
            // here) is less than the block as float32; uploading the block again (1.46 MB) would exceed it.
            assertThat(up).as("bytes up: the resampled block is not uploaded again").isLessThan(blockBytes);
            assertThat(onDevice.features()).containsExactlyElementsOf(onCpu(ct, s));
        }
    }

    /**
     * Image and mask kept (what the server holds for uploaded handles): the bounding box is found on the device —
     * no scan of the host mask — and every ROI box the device reads (value counts, texture grid, surface; at 1 mm
     * the label's indicator for resampling) is cut from the mask's device copy, so no mask byte goes up. At 1 mm the
     * resampled mask's device copy stays as the request's kept copy (as the resampled block does): every kept
     * volume a request reads is already on the device. Nothing runs on the CPU — not even the ROI sample: morphology's
     * moments, weighted sums and Moran's points, the intensity mask's counts and its peaks all come from the device.
     * The features are still the CPU's.
     */
    @Test
    void aRequestWithTheMaskKeptMovesNoMaskBytes() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            var roi = ct.mask().boundingBox(CtBody.LESION).orElseThrow();
            for (io.hounsfield.core.Vec3 spacing : java.util.Arrays.asList(null, new io.hounsfield.core.Vec3(1, 1, 1))) {
                RadiomicsSettings s = lesion(spacing);
                Request imageOnly = secondRequest(cuda, ct, s, false), both = secondRequest(cuda, ct, s, true);
                System.out.printf("DeviceResidencyTest (%s): lesion request%s, image and mask kept: %d B up, %d B down (image only kept: %d B up)%n",
                        ParityBackends.where(), spacing == null ? "" : " at 1 mm", both.up(), both.down(), imageOnly.up());
                Map<String, Double> t = both.features().provenance().timingsMs();
                assertThat(t).as("stages").containsKey("device: boundingBox");
                assertThat(both.features().provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
                // Without resampling: the ROI box's mask bytes for the value counts, the texture grid and the surface (padded)
                // no longer go up; at 1 mm, the label's indicator (its box grown by one).
                long maskBytes = spacing == null ? 3 * roi.extent().voxelCount() : roi.expand(1, ct.mask().geometry().extent()).extent().voxelCount();
                assertThat(imageOnly.up() - both.up()).as("mask bytes no longer uploaded").isGreaterThanOrEqualTo(maskBytes);
                assertThat(both.cacheMisses()).as("kept volumes not on the device when read").isZero();
                assertThat(imageOnly.cacheMisses()).as("kept volumes not on the device when read, image only kept").isZero();
                // Nothing of the request ran on the CPU: no ROI sample was taken on the host. With only the image kept it
                // was, unless the request resampled (its resampled mask is kept on the device too).
                assertThat(both.cpuOperations()).as("operations on the CPU, image and mask kept").isZero();
                assertThat(imageOnly.cpuOperations()).as("operations on the CPU, image only kept").isEqualTo(spacing == null ? 1 : 0);
                List<FeatureValue> cpu = onCpu(ct, s);
                assertThat(both.features().features()).containsExactlyElementsOf(cpu);
                assertThat(imageOnly.features().features()).containsExactlyElementsOf(cpu);
            }
        }
    }
}
