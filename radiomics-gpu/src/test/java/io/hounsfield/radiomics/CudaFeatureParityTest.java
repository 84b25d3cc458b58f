package io.hounsfield.radiomics;

import io.hounsfield.core.Mask;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.CudaBackend;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every feature of every family and aggregation through the CUDA backend equals the CPU backend's bit for
 * bit (the texture matrices are integer counts and the formulas are shared Java), on the IBSI digital
 * phantom and on the lesion and liver of a CT-like phantom, without resampling and resampled to 1 and 2 mm. Runs only where a CUDA device and
 * the kernels are present (the device harness, benchmarks/device/), else on the emulated kernels
 * ({@code ParityBackends}).
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class CudaFeatureParityTest {

    static boolean available() {
        return io.hounsfield.core.backend.ParityBackends.available();
    }

    private static void same(Volume image, Mask mask, RadiomicsSettings s, CudaBackend cuda) {
        List<FeatureValue> cpu = new FeatureExtractor(CpuBackend.sequential(), Runnable::run).extract(image, mask, s).features();
        FeatureSet gpu = new FeatureExtractor(cuda).extract(image, mask, s);
        assertThat(gpu.provenance().backend()).isEqualTo("cuda");
        assertThat(gpu.features()).hasSameSizeAs(cpu);
        for (int i = 0; i < cpu.size(); i++) {
            FeatureValue a = gpu.features().get(i), b = cpu.get(i);
            assertThat(a.ibsiCode() + a.aggregation()).isEqualTo(b.ibsiCode() + b.aggregation());
            assertThat(Double.compare(a.value(), b.value())).as("%s %s %s: gpu %s cpu %s", b.family(), b.name(), b.aggregation(), a.value(), b.value())
                    .isZero();
        }
    }

    @Test
    void everyFeatureOnTheGpuEqualsTheCpusBitForBit() {
        try (CudaBackend cuda = io.hounsfield.core.backend.ParityBackends.open(CpuBackend.sequential());
             IbsiDigitalPhantom p = IbsiDigitalPhantom.load();
             Phantom ct = Phantoms.ctBody(CtBody.small(), ProgressListener.NONE)) {
            // Every family and every aggregation (the 2D and 2.5D ones build a matrix per slice), no resampling.
            RadiomicsSettings all = new RadiomicsSettings(1, null, io.hounsfield.core.backend.Interpolation.TRILINEAR, false, Double.NaN,
                    Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN, RadiomicsSettings.ALL_FAMILIES,
                    RadiomicsSettings.AGGREGATIONS, "HU");
            same(p.image(), p.mask(), all, cuda);
            same(ct.image(), ct.mask(), all.withLabel(CtBody.LESION), cuda);
            same(ct.image(), ct.mask(), all.withLabel(CtBody.LIVER), cuda);
            // Resampled (IBSI's CT configurations): image and label resampled on the device, the block kept and
            // rounded there; the trilinear arithmetic is the CPU's, so the features are still equal bit for bit.
            for (var spacing : List.of(new io.hounsfield.core.Vec3(1, 1, 1), new io.hounsfield.core.Vec3(2, 2, 2))) {
                RadiomicsSettings resampled = new RadiomicsSettings(1, spacing, io.hounsfield.core.backend.Interpolation.TRILINEAR, true,
                        Double.NaN, Double.NaN, false, io.hounsfield.radiomics.features.Discretisation.binSize(25), Double.NaN,
                        RadiomicsSettings.ALL_FAMILIES, List.of("3D"), "HU");
                same(ct.image(), ct.mask(), resampled.withLabel(CtBody.LESION), cuda);
                same(p.image(), p.mask(), resampled, cuda);
            }
            // On a kept image the grey-level grid itself is built on the device (re-segmentation and both
            // discretisations there): with a range and the outlier filter, fixed bin number and fixed bin size.
            cuda.keep(ct.image(), "ct");
            for (var d : List.of(io.hounsfield.radiomics.features.Discretisation.binNumber(32), io.hounsfield.radiomics.features.Discretisation.binSize(10))) {
                RadiomicsSettings kept = new RadiomicsSettings(CtBody.LESION, null, io.hounsfield.core.backend.Interpolation.TRILINEAR, false, 80, 170, true,
                        d, Double.NaN, RadiomicsSettings.ALL_FAMILIES, RadiomicsSettings.AGGREGATIONS, "HU");
                same(ct.image(), ct.mask(), kept, cuda);
                same(ct.image(), ct.mask(), kept.withLabel(CtBody.LIVER), cuda);
            }
            cuda.release(ct.image());
            System.out.println("CudaFeatureParityTest metrics " + cuda.metrics().snapshot());
            assertThat(cuda.metrics().deviceOps()).isPositive();
        }
    }
}
