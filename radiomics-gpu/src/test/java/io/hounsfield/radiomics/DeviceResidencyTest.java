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

    /** A request's features and the bytes it moved up and down. */
    private record Request(FeatureSet features, long up, long down) {
    }

    /** Keeps the image, runs a first request (the image goes up once), and measures the second. */
    private static Request secondRequest(CudaBackend cuda, Phantom ct, RadiomicsSettings s) {
        cuda.keep(ct.image(), "ct");
        new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
        Map<String, Long> before = cuda.metrics().snapshot();
        FeatureSet fs = new FeatureExtractor(cuda).extract(ct.image(), ct.mask(), s);
        Map<String, Long> after = cuda.metrics().snapshot();
        return new Request(fs, after.get("bytes_uploaded") - before.get("bytes_uploaded"), after.get("bytes_downloaded") - before.get("bytes_downloaded"));
    }

    @Test
    void aRequestOnAKeptImageMovesLittleOfIt() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = new RadiomicsSettings(CtBody.LESION, null, io.hounsfield.core.backend.Interpolation.TRILINEAR, false, Double.NaN,
                    Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES,
                    List.of("3D"), "HU");
            Request r = secondRequest(cuda, ct, s);
            FeatureSet onDevice = r.features();
            long up = r.up(), down = r.down();
            long imageBytes = 4 * ct.image().voxelCount(); // its float32 copy on the device
            System.out.printf("DeviceResidencyTest (%s): lesion request with the image kept: %d B up, %d B down (image %d B); notes %s%n",
                    ParityBackends.where(), up, down, imageBytes, onDevice.provenance().notes());
            assertThat(onDevice.provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            assertThat(up + down).as("bytes moved by a request on a kept image").isLessThan(imageBytes / 50);
            List<FeatureValue> cpu = new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(ct.image(), ct.mask(), s).features();
            assertThat(onDevice.features()).containsExactlyElementsOf(cpu);
            cuda.release(ct.image());
        }
    }

    /**
     * Resampled to 1 mm and rounded (IBSI's CT configurations): the block the device resampled stays there as
     * the request's kept copy and is rounded there, so it never crosses the bus back up — only its download
     * for the host's sampling does — and the features are still the CPU's.
     */
    @Test
    void aResampledRequestKeepsTheResampledBlockOnTheDevice() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential());
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            RadiomicsSettings s = new RadiomicsSettings(CtBody.LESION, new io.hounsfield.core.Vec3(1, 1, 1), io.hounsfield.core.backend.Interpolation.TRILINEAR,
                    true, Double.NaN, Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN,
                    RadiomicsSettings.ALL_FAMILIES, List.of("3D"), "HU");
            Request r = secondRequest(cuda, ct, s);
            FeatureSet onDevice = r.features();
            long up = r.up(), down = r.down();
            var target = io.hounsfield.core.backend.Resampling.centredGrid(ct.image().geometry(), new io.hounsfield.core.Vec3(1, 1, 1));
            var block = FeatureExtractor.resampledBlock(ct.image().geometry(), ct.mask().boundingBox(CtBody.LESION).orElseThrow(), target);
            long blockBytes = 4 * block.extent().voxelCount();
            System.out.printf("DeviceResidencyTest (%s): lesion request at 1 mm, rounded, image kept: %d B up, %d B down (resampled block %d B)%n",
                    ParityBackends.where(), up, down, blockBytes);
            assertThat(onDevice.provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
            // Everything else it uploads (the block's mask bytes, the texture slab, Moran's points: ~580 kB here) is
            // less than the block as float32; uploading the block again (as before: 1.46 MB) would exceed it.
            assertThat(up).as("bytes up: the resampled block is not uploaded again").isLessThan(blockBytes);
            List<FeatureValue> cpu = new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(ct.image(), ct.mask(), s).features();
            assertThat(onDevice.features()).containsExactlyElementsOf(cpu);
            cuda.release(ct.image());
        }
    }
}
