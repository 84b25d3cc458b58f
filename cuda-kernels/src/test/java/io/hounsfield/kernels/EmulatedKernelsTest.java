package io.hounsfield.kernels;

import io.hounsfield.cuda.CudaContext;
import io.hounsfield.cuda.CudaDevice;
import io.hounsfield.cuda.CudaDriver;
import io.hounsfield.cuda.DeviceBuffer;
import io.hounsfield.cuda.testing.FakeCuda;
import io.hounsfield.kernels.testing.KernelEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The emulator itself: kernels launched through the typed launchers on the fake driver compute what a
 * direct count in Java gives — a kernel without barriers (one thread after another), and ones with
 * barriers and shared memory (fibers), the histogram and the GLCM in both its shared and global paths.
 */
class EmulatedKernelsTest {

    private CudaDevice device;

    @BeforeEach
    void open() {
        assumeTrue(KernelImage.isBuilt(), KernelImage.status());
        FakeCuda.reset();
        assumeTrue(KernelEmulator.library().isPresent(), KernelEmulator.unavailableReason());
        FakeCuda.useEmulator(KernelEmulator.library().orElseThrow());
        device = CudaDriver.open(FakeCuda.library(), 0);
    }

    @AfterEach
    void close() {
        if (device != null) {
            device.close();
        }
        FakeCuda.reset();
    }

    private <T> T on(io.hounsfield.cuda.DeviceWork<T> work) {
        try {
            return device.submit(work).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static DeviceBuffer up(CudaContext c, MemorySegment host) {
        DeviceBuffer b = c.allocate(host.byteSize());
        MemorySegment stage = java.lang.foreign.Arena.ofAuto().allocate(host.byteSize(), 8);
        MemorySegment.copy(host, 0, stage, 0, host.byteSize());
        c.copyToDevice(stage, b, 0);
        c.synchronize();
        return b;
    }

    private static long[] down(CudaContext c, DeviceBuffer b, int count) {
        MemorySegment stage = java.lang.foreign.Arena.ofAuto().allocate(8L * count, 8);
        c.copyToHost(b, 0, stage);
        c.synchronize();
        return stage.toArray(java.lang.foreign.ValueLayout.JAVA_LONG);
    }

    @Test
    void theHistogramCountsEveryLevelInItsBin() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 100_000, nbins = 300;
        int[] levels = r.ints(n, -2, nbins + 3).toArray();
        long[] want = new long[nbins];
        for (int g : levels) {
            if (g >= 1 && g <= nbins) {
                want[g - 1]++;
            }
        }
        long[] got = on(c -> {
            try (Kernels k = Kernels.load(c); DeviceBuffer in = up(c, MemorySegment.ofArray(levels)); DeviceBuffer h = c.allocate(8L * nbins)) {
                c.fill8(h, 0, h.byteSize(), (byte) 0);
                k.histogram(in, n, nbins, h);
                return down(c, h, nbins);
            }
        });
        assertThat(got).containsExactly(want);
        assertThat(FakeCuda.launches("hf_histogram")).isEqualTo(1);
    }

    @Test
    void theGlcmCountsPairsInSharedAndInGlobalMemory() {
        // A padded slab: level 0 on the border, 1..ng inside.
        int px = 23, py = 19, pz = 9;
        for (int ng : new int[] {16, 120}) { // 16² cells fit in shared memory, 120² do not
            SplittableRandom r = new SplittableRandom(ng);
            int[] lv = new int[px * py * pz];
            for (int z = 1; z < pz - 1; z++) {
                for (int y = 1; y < py - 1; y++) {
                    for (int x = 1; x < px - 1; x++) {
                        lv[x + px * (y + py * z)] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(ng);
                    }
                }
            }
            int off = 1 + px + px * py; // direction (1, 1, 1)
            long[] want = new long[ng * ng];
            for (int p = 0; p + off < lv.length; p++) {
                int a = lv[p], b = lv[p + off];
                if (a > 0 && b > 0) {
                    want[(a - 1) * ng + (b - 1)]++;
                    want[(b - 1) * ng + (a - 1)]++;
                }
            }
            long[] got = on(c -> {
                try (Kernels k = Kernels.load(c); DeviceBuffer in = up(c, MemorySegment.ofArray(lv)); DeviceBuffer m = c.allocate(8L * ng * ng)) {
                    c.fill8(m, 0, m.byteSize(), (byte) 0);
                    k.glcm(in, px, py, pz, off, ng, m);
                    return down(c, m, ng * ng);
                }
            });
            assertThat(got).as("ng %d", ng).containsExactly(want);
        }
    }
}
