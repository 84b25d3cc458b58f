package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.cuda.testing.FakeCuda;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Volumes larger than the staging buffer cross the bus intact both ways — in chunks through its two halves, or
 * straight from a volume's own page-locked memory once pinned — checked by a resampling onto the volume's own grid
 * (nearest neighbour: the identity), which uploads the image and downloads the result. On a GPU or the emulated
 * kernels; on the fake driver it also checks that a pinned volume's copies ran from its own memory and that
 * closing the volume unlocks it.
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class CudaTransfersTest {

    static boolean available() {
        return ParityBackends.available();
    }

    /** A float32 volume of 2.6 staging halves (three chunks, the last partial), random values. */
    private static Volume bigVolume() {
        long voxels = (long) (2.6 * CudaBackend.STAGING_BYTES / 2 / 4);
        int nx = 256, ny = 256, nz = (int) (voxels / (nx * ny));
        Volume v = Volume.allocate(Geometry.axisAligned(new Extent(nx, ny, nz), new Vec3(1, 1, 2), Vec3.ZERO), VoxelType.FLOAT32);
        SplittableRandom r = new SplittableRandom(7);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, r.nextDouble(-1000, 3000));
        }
        return v;
    }

    private static void assertSameBytes(Volume a, Volume b) {
        assertThat(a.segment().byteSize()).isEqualTo(b.segment().byteSize());
        assertThat(MemorySegment.mismatch(a.segment(), 0, a.segment().byteSize(), b.segment(), 0, b.segment().byteSize()))
                .as("first differing byte").isEqualTo(-1L);
    }

    @Test
    void volumesLargerThanTheStagingBufferCrossBothWaysIntact() {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential()); Volume v = bigVolume();
             Volume same = cuda.resample(v, v.geometry(), Interpolation.NEAREST)) {
            assertThat(v.segment().byteSize()).isGreaterThan(CudaBackend.STAGING_BYTES);
            assertThat(cuda.metrics().cpuFallbacks()).isZero();
            assertSameBytes(same, v);
        }
    }

    @Test
    void aPinnedVolumeIsCopiedFromItsOwnMemoryAndUnlockedWhenClosed() {
        boolean fake = !ParityBackends.gpu();
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential())) {
            Volume v = bigVolume();
            try (v; Volume small = Volume.allocate(Geometry.axisAligned(new Extent(8, 8, 8), new Vec3(1, 1, 1), Vec3.ZERO), VoxelType.INT16)) {
                assertThat(cuda.pin(small)).as("a volume without pages of its own").isFalse();
                assertThat(cuda.pin(v)).isTrue();
                assertThat(cuda.pin(v)).as("pinning twice").isTrue();
                int before = fake ? FakeCuda.copiesWithRegisteredMemory() : 0;
                try (Volume same = cuda.resample(v, v.geometry(), Interpolation.NEAREST)) {
                    assertSameBytes(same, v);
                }
                if (fake) {
                    assertThat(FakeCuda.copiesWithRegisteredMemory() - before).as("one copy, straight from the volume").isEqualTo(1);
                    assertThat(FakeCuda.live(FakeCuda.Live.REGISTERED)).isOne();
                }
                // Changed and copied again: still read from its memory, now.
                v.set(12345, 42);
                try (Volume same = cuda.resample(v, v.geometry(), Interpolation.NEAREST)) {
                    assertThat(same.get(12345)).isEqualTo(42);
                }
            }
            if (fake) {
                assertThat(FakeCuda.live(FakeCuda.Live.REGISTERED)).as("closing the volume unlocked it").isZero();
            }
        }
    }
}
