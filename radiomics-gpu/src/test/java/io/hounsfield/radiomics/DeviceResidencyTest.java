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
 * What crosses the bus for one request on the CUDA backend: with image and mask kept on the device (the server's
 * handles), every family of the CT phantom's lesion moves a small fraction of the image — small matrices, row sums,
 * counts — and nothing runs on the CPU; a one-shot request (nothing kept by the caller) uploads image and mask once
 * and then does the same. The features are the CPU's either way. Runs on a GPU or on the emulated kernels
 * (ParityBackends).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class DeviceResidencyTest {

    static boolean available() {
        return ParityBackends.available();
    }

    /**
     * A request's features, the bytes it moved up and down, how often a kept volume was not on the device when read,
     * and how many operations ran on the CPU (an ROI sample taken on the host among them).
     */
    private record Request(FeatureSet features, long up, long down, long cacheMisses, long cpuOperations) {
    }

    /** Every family of the lesion, bin width 25, 3D; resampled to {@code spacing} and rounded when it is not null (IBSI's CT configurations). */
    private static RadiomicsSettings lesion(io.hounsfield.core.Vec3 spacing) {
        return new RadiomicsSettings(CtBody.LESION, spacing, io.hounsfield.core.backend.Interpolation.TRILINEAR, spacing != null, Double.NaN,
                Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES,
                List.of("3D"), "HU");
    }

    private static final List<io.hounsfield.core.Vec3> SPACINGS = java.util.Arrays.asList(null, new io.hounsfield.core.Vec3(1, 1, 1));

    /** The CPU backend's features of the same request. */
    private static List<FeatureValue> onCpu(Phantom ct, RadiomicsSettings s) {
        return new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(ct.image(), ct.mask(), s).features();
    }

    /** Runs a first request (the kernels load, kept volumes go up) and measures the second. */
    private static Request secondRequest(CudaBackend cuda, Phantom ct, RadiomicsSettings s) {
        new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
        Map<String, Long> before = cuda.metrics().snapshot();
        FeatureSet fs = new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
        Map<String, Long> after = cuda.metrics().snapshot();
        return new Request(fs, after.get("bytes_uploaded") - before.get("bytes_uploaded"), after.get("bytes_downloaded") - before.get("bytes_downloaded"),
                after.get("cache_misses") - before.get("cache_misses"), after.get("cpu_fallbacks") - before.get("cpu_fallbacks"));
    }

    /** As {@link #secondRequest}, the caller keeping image and mask (as the server keeps uploaded handles); releases them. */
    private static Request secondRequestOnKept(CudaBackend cuda, Phantom ct, RadiomicsSettings s) {
        cuda.keep(ct.image(), "ct");
        cuda.keep(ct.mask().asVolume(), "ct mask");
        try {
            return secondRequest(cuda, ct, s);
        } finally {
            cuda.release(ct.image());
            cuda.release(ct.mask().asVolume());
        }
    }

    /**
     * Image and mask kept: the bounding box is found on the device (no scan of the host mask), every ROI box the
     * device reads is cut from the mask's device copy, and every reduction the families need — morphology's moments,
     * weighted sums and Moran's points, the intensity mask's counts, its peaks, the texture grid — comes from the
     * device: no ROI sample is taken on the host, no operation runs on the CPU, and little crosses the bus.
     */
    @Test
    void aRequestOnKeptVolumesMovesLittleOfThem() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = lesion(null);
            Request r = secondRequestOnKept(cuda, ct, s);
            long imageBytes = 4 * ct.image().voxelCount(); // its float32 copy on the device
            System.out.printf("DeviceResidencyTest (%s): lesion request with image and mask kept: %d B up, %d B down (image %d B); notes %s%n",
                    ParityBackends.where(), r.up(), r.down(), imageBytes, r.features().provenance().notes());
            assertThat(r.features().provenance().timingsMs()).as("stages").containsKey("device: boundingBox");
            assertThat(r.features().provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            assertThat(r.up() + r.down()).as("bytes moved by a request on kept volumes").isLessThan(imageBytes / 50);
            assertThat(r.cacheMisses()).as("kept volumes not on the device when read").isZero();
            assertThat(r.cpuOperations()).as("operations on the CPU").isZero();
            assertThat(r.features().features()).containsExactlyElementsOf(onCpu(ct, s));
        }
    }

    /**
     * Resampled to 1 mm and rounded (IBSI's CT configurations), image and mask kept: the block the device resampled
     * stays there as the request's kept copy and is rounded there, and it never crosses the bus — neither down (no
     * host copy is filled: nothing reads one) nor back up — and the resampled mask likewise; nothing runs on the CPU.
     */
    @Test
    void aResampledRequestKeepsTheResampledBlockOnTheDevice() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = lesion(new io.hounsfield.core.Vec3(1, 1, 1));
            Request r = secondRequestOnKept(cuda, ct, s);
            var target = io.hounsfield.core.backend.Resampling.centredGrid(ct.image().geometry(), new io.hounsfield.core.Vec3(1, 1, 1));
            var block = FeatureExtractor.resampledBlock(ct.image().geometry(), ct.mask().boundingBox(CtBody.LESION).orElseThrow(), target);
            long blockBytes = 4 * block.extent().voxelCount();
            System.out.printf("DeviceResidencyTest (%s): lesion request at 1 mm, rounded, image and mask kept: %d B up, %d B down (resampled block %d B)%n",
                    ParityBackends.where(), r.up(), r.down(), blockBytes);
            assertThat(r.features().provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            // Everything it uploads (Moran's points, the spheres' layout, small tables) is less than the block as float32;
            // uploading the block again would exceed it.
            assertThat(r.up()).as("bytes up: the resampled block is not uploaded again").isLessThan(blockBytes);
            // Nor does it come down (nothing read its host voxels): what comes down is small (row sums, counts, matrices).
            assertThat(r.down()).as("bytes down: the resampled block and mask stay on the device").isLessThan(blockBytes);
            assertThat(r.cacheMisses()).as("kept volumes not on the device when read").isZero();
            assertThat(r.cpuOperations()).as("operations on the CPU").isZero();
            assertThat(r.features().features()).containsExactlyElementsOf(onCpu(ct, s));
        }
    }

    /**
     * A one-shot request (the CLI's, an Analyze call's: nothing kept by the caller) keeps image and mask for its own
     * duration: each goes up once — the image as int16, converted on the device, the mask as its bytes — and from
     * there the request is the kept one: no ROI sample on the host, nothing on the CPU, the same small transfers.
     * Its device copies are freed when it ends.
     */
    @Test
    void aOneShotRequestUploadsImageAndMaskOnceAndThenStaysOnTheDevice() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            long volumes = 2 * ct.image().voxelCount() + ct.mask().asVolume().voxelCount(); // int16 image, uint8 labels
            for (io.hounsfield.core.Vec3 spacing : SPACINGS) {
                RadiomicsSettings s = lesion(spacing);
                Request kept = secondRequestOnKept(cuda, ct, s), once = secondRequest(cuda, ct, s);
                System.out.printf("DeviceResidencyTest (%s): one-shot lesion request%s: %d B up, %d B down (image and mask %d B; kept: %d B up)%n",
                        ParityBackends.where(), spacing == null ? "" : " at 1 mm", once.up(), once.down(), volumes, kept.up());
                assertThat(once.up()).as("bytes up: image and mask once, then what a request on kept volumes moves").isEqualTo(volumes + kept.up());
                assertThat(once.down()).as("bytes down: what a request on kept volumes moves").isEqualTo(kept.down());
                assertThat(once.cpuOperations()).as("operations on the CPU").isZero();
                assertThat(once.features().provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
                assertThat(cuda.keptBytes()).as("device bytes held after the request").isZero();
                assertThat(once.features().features()).containsExactlyElementsOf(onCpu(ct, s));
            }
        }
    }

    /**
     * Keeps nest: a request on volumes the caller keeps keeps and releases them too, and they stay on the device
     * after it (the next request finds them there) until the caller releases them.
     */
    @Test
    void aRequestDoesNotReleaseWhatItsCallerKeeps() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = lesion(null);
            cuda.keep(ct.image(), "ct");
            cuda.keep(ct.mask().asVolume(), "ct mask");
            new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
            long held = cuda.keptBytes();
            assertThat(held).as("image (float32) and mask on the device after a request").isEqualTo(5 * ct.image().voxelCount());
            long misses = cuda.metrics().snapshot().get("cache_misses");
            new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
            assertThat(cuda.metrics().snapshot().get("cache_misses")).as("misses of the second request").isEqualTo(misses);
            cuda.release(ct.mask().asVolume());
            assertThat(cuda.keptBytes()).isEqualTo(4 * ct.image().voxelCount());
            cuda.release(ct.image());
            assertThat(cuda.keptBytes()).isZero();
        }
    }
}
