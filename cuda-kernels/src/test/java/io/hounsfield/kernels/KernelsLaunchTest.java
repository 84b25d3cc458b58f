package io.hounsfield.kernels;

import io.hounsfield.cuda.CudaContext;
import io.hounsfield.cuda.CudaDevice;
import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.DeviceBuffer;
import io.hounsfield.cuda.testing.FakeCuda;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The typed launchers on the fake driver: the kernel each one names, its launch geometry and argument
 * values as the driver receives them, and the size checks that stop a launch before the driver.
 */
class KernelsLaunchTest {

    private CudaDevice device;

    @BeforeEach
    void open() {
        assumeTrue(KernelImage.isBuilt(), KernelImage.status());
        FakeCuda.reset();
        device = CudaDriver.open(FakeCuda.library(), 0);
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
    }

    /** Runs {@code work} with the kernels loaded and three 4 KiB buffers. */
    private void with(Consumer<Object[]> work) {
        try {
            device.submit(c -> {
                try (Kernels k = Kernels.load(c); DeviceBuffer a = c.allocate(4096); DeviceBuffer b = c.allocate(4096);
                     DeviceBuffer d = c.allocate(64 * 1024)) {
                    work.accept(new Object[] {c, k, a, b, d});
                }
                return null;
            }).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Test
    void rangeMaskPassesItsArgumentsInTheKernelsOrder() {
        FakeCuda.setParamCount(7);
        long[] addr = new long[3];
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer v = (DeviceBuffer) o[2], m = (DeviceBuffer) o[3], out = (DeviceBuffer) o[4];
            addr[0] = v.address();
            addr[1] = m.address();
            addr[2] = out.address();
            k.rangeMask(v, m, 3, 1000, -100.5, 250, out);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_range_mask");
        assertThat(FakeCuda.lastParam(0)).isEqualTo(addr[0]);
        assertThat(FakeCuda.lastParam(1)).isEqualTo(addr[1]);
        assertThat((int) FakeCuda.lastParam(2)).isEqualTo(3);
        assertThat(FakeCuda.lastParam(3)).isEqualTo(1000L);
        assertThat(Double.longBitsToDouble(FakeCuda.lastParam(4))).isEqualTo(-100.5);
        assertThat(Double.longBitsToDouble(FakeCuda.lastParam(5))).isEqualTo(250.0);
        assertThat(FakeCuda.lastParam(6)).isEqualTo(addr[2]);
        assertThat(FakeCuda.lastDim(3)).isEqualTo(Kernels.BLOCK);
        assertThat(FakeCuda.lastDim(0)).isEqualTo((1000 + Kernels.BLOCK - 1) / Kernels.BLOCK);
    }

    @Test
    void momentsRunTwoPassesAndTheSecondAddsEveryPartial() {
        FakeCuda.setParamCount(3);
        with(o -> {
            Kernels k = (Kernels) o[1];
            CudaContext c = (CudaContext) o[0];
            try (DeviceBuffer partials = c.allocate(8L * 5 * Kernels.REDUCE_BLOCKS); DeviceBuffer out = c.allocate(40)) {
                k.maskedMoments((DeviceBuffer) o[2], (DeviceBuffer) o[3], 1000, partials, out);
            }
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_reduce_partials");
        assertThat((int) FakeCuda.lastParam(1)).isEqualTo(Kernels.REDUCE_BLOCKS);
        assertThat(FakeCuda.lastDim(0)).isEqualTo(1);
    }

    @Test
    void theHistogramAsksForSharedMemoryPerBin() {
        with(o -> {
            Kernels k = (Kernels) o[1];
            k.histogram((DeviceBuffer) o[2], 1024, 200, (DeviceBuffer) o[3]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_histogram");
        assertThat(FakeCuda.lastDim(6)).isEqualTo(4 * 200);
    }

    @Test
    void sizesAreCheckedBeforeTheDriverSeesTheLaunch() {
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[2], other = (DeviceBuffer) o[3], big = (DeviceBuffer) o[4];
            // 4096 bytes hold 1024 floats, not 2000.
            assertThatThrownBy(() -> k.rangeMask(small, big, 1, 2000, 0, 1, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8000").hasMessageContaining("4096");
            assertThatThrownBy(() -> k.cropF32(big, 10, 10, 10, 5, 0, 0, small, 6, 2, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the source");
            assertThatThrownBy(() -> k.histogram(small, 100, Kernels.MAX_HISTOGRAM_BINS + 1, big))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> k.discretiseFixedBinSize(small, other, 10, 0, 0, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("width");
            assertThatThrownBy(() -> k.toFloat32(Kernels.SourceType.F64, small, big, 1000))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8000");
        });
        assertThat(FakeCuda.lastKernel()).isEmpty();
    }

    @Test
    void theGlcmCountsInSharedMemoryWhenTheMatrixFitsAndInGlobalMemoryOtherwise() {
        FakeCuda.setParamCount(6);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // A 10 x 10 x 8 padded slab (800 ints = 3200 bytes) and a 64 KiB matrix buffer.
            k.glcm((DeviceBuffer) o[2], 10, 10, 8, 1, 50, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glcm");
        assertThat(FakeCuda.lastDim(6)).isEqualTo(4 * 50 * 50);
        assertThat(FakeCuda.lastParam(4)).isEqualTo(1L);
        with(o -> {
            Kernels k = (Kernels) o[1];
            CudaContext c = (CudaContext) o[0];
            try (DeviceBuffer m = c.allocate(8L * 120 * 120)) {
                k.glcm((DeviceBuffer) o[2], 10, 10, 8, 1, 120, m);
            }
        });
        assertThat(FakeCuda.lastDim(6)).isZero();
        assertThat(FakeCuda.lastParam(4)).isZero();
    }

    @Test
    void textureLaunchersCheckTheSlabAndTheirOutputs() {
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[2], big = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.glcm(small, 20, 20, 20, 1, 4, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("grey levels").hasMessageContaining("32000");
            assertThatThrownBy(() -> k.glcm(small, 2, 10, 10, 1, 4, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3x3x3");
            assertThatThrownBy(() -> k.glrlm(small, 10, 10, 8, 1, 4, 5, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longest line");
            assertThatThrownBy(() -> k.ngtdm(small, 10, 10, 8, true, 400, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tone counts");
            assertThatThrownBy(() -> k.ngldm(small, 10, 10, 8, true, -1, 4, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
            assertThatThrownBy(() -> k.zones(big, 12, 12, 8, true, small, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zone labels");
            assertThatThrownBy(() -> k.glcm(big, 2000, 2000, 1000, 1, 4, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int indices");
        });
        assertThat(FakeCuda.lastKernel()).isEmpty();
    }

    @Test
    void surfaceLaunchersPassTheBoxAndCheckTheirBuffers() {
        FakeCuda.setParamCount(5);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // A 16 x 16 x 16 padded occupancy (4096 bytes): 15³ cubes in a grid capped at REDUCE_BLOCKS blocks.
            k.surfaceConfigs((DeviceBuffer) o[2], 16, 16, 16, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_surface_configs");
        assertThat((int) FakeCuda.lastParam(1)).isEqualTo(16);
        assertThat(FakeCuda.lastDim(0)).isEqualTo((15 * 15 * 15 + Kernels.BLOCK - 1) / Kernels.BLOCK);
        FakeCuda.setParamCount(6);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // 31 x 31 rows of doubled coordinates: 3844 bytes each for the lower and the upper ends.
            k.surfaceRowEnds((DeviceBuffer) o[2], 16, 16, 16, (DeviceBuffer) o[3], (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_surface_row_ends");
        assertThat((int) FakeCuda.lastParam(3)).isEqualTo(16);
        assertThat(FakeCuda.lastDim(0)).isEqualTo(4096 / Kernels.BLOCK);
    }

    @Test
    void surfaceLaunchersCheckTheirBuffersBeforeTheDriver() {
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[2], big = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.surfaceConfigs(small, 17, 16, 16, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("occupancy").hasMessageContaining("4352");
            assertThatThrownBy(() -> k.surfaceConfigs(small, 16, 16, 16, small))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configuration counts");
            assertThatThrownBy(() -> k.surfaceRowEnds(small, 1, 16, 16, big, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2x2x2");
            // 8 x 20 x 20 bytes fit, their 39 x 39 rows of 4-byte ends do not.
            assertThatThrownBy(() -> k.surfaceRowEnds(small, 8, 20, 20, small, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row lower ends").hasMessageContaining("6084");
        });
        assertThat(FakeCuda.lastKernel()).isEmpty();
    }

    @Test
    void firstOrderAndPairLaunchersCheckTheirBuffers() {
        FakeCuda.setParamCount(15);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // A 10 x 10 x 10 float image (4000 bytes), its 4 x 5 x 6 box at (1, 2, 3), 256 uint8 bins.
            k.valueCounts((DeviceBuffer) o[2], 10, 10, 10, 1, 2, 3, 4, 5, 6, (DeviceBuffer) o[3], -5.5, 100, 0, 256, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_value_counts");
        assertThat((int) FakeCuda.lastParam(3)).isEqualTo(1);
        assertThat(Double.longBitsToDouble(FakeCuda.lastParam(10))).isEqualTo(-5.5);
        assertThat((int) FakeCuda.lastParam(13)).isEqualTo(256);
        FakeCuda.setParamCount(0);
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[2], big = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.valueCounts(small, 10, 10, 10, 7, 2, 3, 4, 5, 6, small, 0, 1, 0, 256, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not inside");
            assertThatThrownBy(() -> k.valueCounts(small, 10, 10, 10, 0, 0, 0, 4, 5, 6, small, 0, 1, -32768, 65536, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("value counts").hasMessageContaining("262144");
            assertThatThrownBy(() -> k.inverseDistanceRows(small, big, 200, 0, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positions").hasMessageContaining("4800");
            assertThatThrownBy(() -> k.inverseDistanceRows(big, big, 0, 0, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
        });
    }

    @Test
    void aResampledBlockPassesItsFirstTargetVoxel() {
        FakeCuda.setParamCount(13);
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer src = (DeviceBuffer) o[2], map = (DeviceBuffer) o[3], dst = (DeviceBuffer) o[4];
            k.resampleF32(src, 10, 10, 10, map, dst, 8, 8, 8, 3, 4, 5, true);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_resample_f32");
        assertThat((int) FakeCuda.lastParam(9)).isEqualTo(3);
        assertThat((int) FakeCuda.lastParam(11)).isEqualTo(5);
        assertThat((int) FakeCuda.lastParam(12)).isEqualTo(1);
        FakeCuda.setParamCount(0);
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer b = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.resampleF32(b, 10, 10, 10, b, b, 8, 8, 8, -1, 0, 0, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
        });
    }

    @Test
    void batchedDirectionsLaunchOneRowOfBlocksPerDirection() {
        FakeCuda.setParamCount(6);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // A 10 x 10 x 8 padded slab, 13 offsets, 13 matrices of 8 x 8 (6656 bytes of 64 KiB).
            k.glcmDirections((DeviceBuffer) o[2], 10, 10, 8, (DeviceBuffer) o[3], 13, 8, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glcm_dirs");
        assertThat(FakeCuda.lastDim(1)).isEqualTo(13);
        assertThat(FakeCuda.lastDim(6)).isEqualTo(4 * 8 * 8);
        assertThat(FakeCuda.lastParam(4)).isEqualTo(1L);
        with(o -> {
            Kernels k = (Kernels) o[1];
            k.glrlmDirections((DeviceBuffer) o[2], 10, 10, 8, (DeviceBuffer) o[3], 4, 8, 10, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glrlm_dirs");
        assertThat(FakeCuda.lastDim(1)).isEqualTo(4);
        assertThat(FakeCuda.lastParam(4)).as("cells per matrix").isEqualTo(80L);
        FakeCuda.setParamCount(0);
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[3], big = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.glcmDirections(small, 10, 10, 8, small, 0, 8, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("directions");
            assertThatThrownBy(() -> k.glcmDirections(small, 10, 10, 8, small, 13, 30, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("co-occurrence matrices");
        });
    }

    @Test
    void perSliceMatricesLaunchOneRowOfBlocksPerDirection() {
        FakeCuda.setParamCount(7);
        with(o -> {
            Kernels k = (Kernels) o[1];
            // A 10 x 10 x 8 slab, 4 offsets, 8 slice slots (in the 4 KiB buffer), 6 slots of 4 x 4 matrices of 8 x 8.
            k.glcmSlices((DeviceBuffer) o[2], 10, 10, 8, (DeviceBuffer) o[3], 4, (DeviceBuffer) o[3], 6, 8, (DeviceBuffer) o[4]);
        });
        assertThat(FakeCuda.lastKernel()).isEqualTo("hf_glcm_slices");
        assertThat(FakeCuda.lastDim(1)).isEqualTo(4);
        assertThat((int) FakeCuda.lastParam(2)).as("plane").isEqualTo(100);
        FakeCuda.setParamCount(0);
        with(o -> {
            Kernels k = (Kernels) o[1];
            DeviceBuffer small = (DeviceBuffer) o[3], big = (DeviceBuffer) o[4];
            assertThatThrownBy(() -> k.glcmSlices(small, 10, 10, 8, small, 4, small, 40, 8, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-slice co-occurrence matrices");
            assertThatThrownBy(() -> k.glrlmSlices(small, 10, 10, 8, small, 4, small, 0, 8, 10, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("slices");
            assertThatThrownBy(() -> k.ngtdmSlices(small, 10, 10, 8, small, 40, 8, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("per-slice tone counts");
            assertThatThrownBy(() -> k.ngldmSlices(small, 10, 10, 8, -1, small, 4, 8, big))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        });
    }

    @Test
    void everyKernelOfTheFatbinResolves() {
        with(o -> {
            CudaContext c = (CudaContext) o[0];
            try (var m = c.load(KernelImage.load().orElseThrow())) {
                for (String name : Kernels.SIGNATURES.keySet()) {
                    assertThat(m.function(name).name()).isEqualTo(name);
                }
            }
        });
    }
}
