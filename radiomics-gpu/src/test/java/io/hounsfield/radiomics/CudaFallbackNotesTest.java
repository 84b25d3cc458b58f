package io.hounsfield.radiomics;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.CudaBackend;
import io.hounsfield.cuda.testing.FakeCuda;
import io.hounsfield.kernels.KernelImage;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The feature extractor on the CUDA backend over the fake driver (no GPU): when the device cannot hold an
 * operation's data, that operation runs on the CPU, the values are the CPU's, and the result says so in its
 * notes; operations that did run on the device report their device time in the timings.
 */
class CudaFallbackNotesTest {

    @Test
    void operationsThatDoNotFitTheDeviceRunOnTheCpuAndTheResultSaysSo() {
        assumeTrue(KernelImage.isBuilt(), KernelImage.status());
        FakeCuda.reset();
        try (CudaBackend cuda = CudaBackend.open(FakeCuda.library(), 0, CpuBackend.sequential(), CudaBackend.DEFAULT_BUDGET_FRACTION, false);
             Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            RadiomicsSettings s = RadiomicsSettings.defaults().withLabel(CtBody.LESION);
            FakeCuda.setMemoryLimit(1000); // nothing fits
            FeatureSet out = new FeatureExtractor(cuda).extract(p.image(), p.mask(), s);
            FakeCuda.setMemoryLimit(1L << 30);
            List<FeatureValue> cpu = new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(p.image(), p.mask(), s).features();
            assertThat(out.features()).containsExactlyElementsOf(cpu);
            // The request's image and mask are kept, so every operation first tries the device: each says it did not fit.
            assertThat(out.provenance().notes()).contains("boundingBox ran on the CPU: the device ran out of memory",
                    "cooccurrence ran on the CPU: the device ran out of memory", "intensityPeaks ran on the CPU: the device ran out of memory",
                    "levelGrid ran on the CPU: the device ran out of memory", "surfaceCounts ran on the CPU: the device ran out of memory",
                    "valueCounts ran on the CPU: the device ran out of memory", "weightedSums ran on the CPU: the device ran out of memory");
            assertThat(out.provenance().timingsMs().keySet()).noneMatch(k -> k.startsWith("device: "));
        }
        // Resampled to 1 mm and rounded, with nothing fitting either: the block is resampled on the CPU and kept there,
        // and the features are still the CPU's.
        FakeCuda.reset();
        try (CudaBackend cuda = CudaBackend.open(FakeCuda.library(), 0, CpuBackend.sequential(), CudaBackend.DEFAULT_BUDGET_FRACTION, false);
             Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            RadiomicsSettings d = RadiomicsSettings.defaults();
            RadiomicsSettings s = new RadiomicsSettings(CtBody.LESION, new io.hounsfield.core.Vec3(1, 1, 1), io.hounsfield.core.backend.Interpolation.TRILINEAR,
                    true, d.resegmentMin(), d.resegmentMax(), d.outlierFilter(), d.discretisation(), d.ivhStep(), d.families(), d.aggregations(), d.unit());
            FakeCuda.setMemoryLimit(1000);
            FeatureSet out = new FeatureExtractor(cuda).extract(p.image(), p.mask(), s);
            FakeCuda.setMemoryLimit(1L << 30);
            List<FeatureValue> cpu = new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(p.image(), p.mask(), s).features();
            assertThat(out.features()).containsExactlyElementsOf(cpu);
            assertThat(out.provenance().notes()).contains("resample ran on the CPU: the device ran out of memory",
                    "resampleLabel ran on the CPU: the device ran out of memory");
        }
        // With room on the device, its operations report their device time (on the emulated kernels, which compute what
        // the extractor goes on to use — the bare fake driver's outputs are not counts).
        assumeTrue(io.hounsfield.core.backend.ParityBackends.available(), "the kernel emulator is not available here");
        try (CudaBackend cuda = io.hounsfield.core.backend.ParityBackends.open(CpuBackend.sequential());
             Phantom p = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            RadiomicsSettings s = RadiomicsSettings.defaults().withLabel(CtBody.LESION);
            FeatureSet onDevice = new FeatureExtractor(cuda).extract(p.image(), p.mask(), s);
            assertThat(onDevice.provenance().timingsMs()).containsKeys("device: boundingBox", "device: cooccurrence", "device: sizeZones",
                    "device: intensityPeaks", "device: levelGrid", "device: surfaceCounts", "device: valueCounts", "device: weightedSums");
            assertThat(onDevice.provenance().notes()).noneMatch(n -> n.contains("ran on the CPU"));
        }
    }
}
