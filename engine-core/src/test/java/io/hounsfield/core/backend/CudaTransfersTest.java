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
 * closing the volume unlocks it. A block resampled to be kept ({@code resampleKept}) stays on the device: its host
 * voxels are filled only when read on the host.
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

    /** A 40×30×20 int16 image with a label-1 ball in its middle, on an anisotropic grid. */
    private static Volume smallImage() {
        Volume v = Volume.allocate(Geometry.axisAligned(new Extent(40, 30, 20), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO), VoxelType.INT16);
        SplittableRandom r = new SplittableRandom(3);
        for (long i = 0; i < v.voxelCount(); i++) {
            v.set(i, r.nextInt(-200, 300));
        }
        return v;
    }

    @Test
    void aBlockResampledToBeKeptStaysOnTheDeviceUntilReadOnTheHost() {
        CpuBackend cpu = CpuBackend.sequential();
        try (CudaBackend cuda = ParityBackends.open(cpu); Volume image = smallImage()) {
            Geometry target = Resampling.centredGrid(image.geometry(), new Vec3(1, 1, 1));
            io.hounsfield.core.IndexBox block = new io.hounsfield.core.IndexBox(3, 4, 5, 25, 20, 30);
            try (Volume expected = cpu.resample(image, target, Interpolation.TRILINEAR, block)) {
                cpu.roundInPlace(expected);
                long down = cuda.metrics().snapshot().get("bytes_downloaded");
                Volume kept = cuda.resampleKept(image, target, Interpolation.TRILINEAR, block, "test block");
                try (kept) {
                    cuda.roundInPlace(kept); // on the device only
                    assertThat(cuda.metrics().snapshot().get("bytes_downloaded")).as("nothing came down").isEqualTo(down);
                    assertThat(kept.segment().asByteBuffer().asFloatBuffer().get(0)).as("host voxels not filled yet").isZero();
                    // Read on the host through the backend (the CPU's sample): filled first, the rounded device values.
                    try (io.hounsfield.core.Mask all = io.hounsfield.core.Mask.allocate(kept.geometry())) {
                        all.asVolume().segment().fill((byte) 1);
                        RoiSample viaBackend = cuda.sample(kept, all, 1, io.hounsfield.core.IndexBox.of(kept.extent()));
                        assertThat(viaBackend.intensities()).isEqualTo(cpu.sample(expected, all, 1, io.hounsfield.core.IndexBox.of(kept.extent())).intensities());
                    }
                    assertSameBytes(kept, expected);
                    long after = cuda.metrics().snapshot().get("bytes_downloaded");
                    cuda.hostCopy(kept); // already filled: nothing more
                    assertThat(cuda.metrics().snapshot().get("bytes_downloaded")).isEqualTo(after);
                    cuda.release(kept);
                }
                assertThat(cuda.keptBytes()).isZero();
                // Released before anything read it: it never comes down.
                long before = cuda.metrics().snapshot().get("bytes_downloaded");
                try (Volume unread = cuda.resampleKept(image, target, Interpolation.TRILINEAR, block, "unread")) {
                    cuda.release(unread);
                }
                assertThat(cuda.metrics().snapshot().get("bytes_downloaded")).isEqualTo(before);
                // The label map likewise, filled on demand.
                try (io.hounsfield.core.Mask mask = io.hounsfield.core.Mask.allocate(image.geometry())) {
                    for (int z = 8; z < 13; z++) {
                        for (int y = 10; y < 20; y++) {
                            for (int x = 12; x < 28; x++) {
                                mask.set(image.extent().index(x, y, z), 1);
                            }
                        }
                    }
                    var roi = mask.boundingBox(1).orElseThrow();
                    try (io.hounsfield.core.Mask want = cpu.resampleLabel(mask, 1, roi, target, block);
                         io.hounsfield.core.Mask got = cuda.resampleLabelKept(mask, 1, roi, target, block, "test mask")) {
                        assertThat(got.boundingBox(1)).as("host voxels not filled yet").isEmpty();
                        cuda.hostCopy(got.asVolume());
                        assertSameBytes(got.asVolume(), want.asVolume());
                        cuda.release(got.asVolume());
                    }
                }
            }
            assertThat(cuda.metrics().cpuFallbacks()).as("operations on the CPU").isEqualTo(1); // the sample
        }
    }

    /**
     * A device that fails while a block's only copy is on it: reading the block on the host fails the request with
     * a clear error instead of computing on unfilled voxels (fake driver only: a real device is not made to fail).
     */
    @Test
    void aBlockLostWithItsDeviceFailsTheReadClearly() {
        org.junit.jupiter.api.Assumptions.assumeFalse(ParityBackends.gpu(), "makes the device fail: fake driver only");
        CpuBackend cpu = CpuBackend.sequential();
        try (CudaBackend cuda = ParityBackends.open(cpu); Volume image = smallImage()) {
            Geometry target = Resampling.centredGrid(image.geometry(), new Vec3(1, 1, 1));
            try (Volume kept = cuda.resampleKept(image, target, Interpolation.TRILINEAR, new io.hounsfield.core.IndexBox(0, 0, 0, 10, 10, 10), "lost");
                 io.hounsfield.core.Mask all = io.hounsfield.core.Mask.allocate(kept.geometry())) {
                FakeCuda.failLaunches(700); // CUDA_ERROR_ILLEGAL_ADDRESS: sticky
                // Rounding's launch fails, the device is unusable from here, and rounding on the host needs the voxels.
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> cuda.roundInPlace(kept))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("only on the CUDA device");
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> cuda.sample(kept, all, 1, io.hounsfield.core.IndexBox.of(kept.extent())))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("only on the CUDA device").hasMessageContaining("lost");
                cuda.release(kept);
            } finally {
                FakeCuda.failLaunches(0);
            }
        }
    }
}
