package io.hounsfield.cuda;

import io.hounsfield.cuda.testing.FakeCuda;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bindings against the fake driver: everything up to the driver boundary, no GPU needed. */
class CudaDeviceTest {

    @BeforeEach
    void freshFake() {
        FakeCuda.reset();
    }

    private static CudaDevice open() {
        return CudaDriver.open(FakeCuda.library(), 0);
    }

    private static <T> T on(CudaDevice d, DeviceWork<T> work) {
        try {
            return d.submit(work).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    @Test
    void probeAndOpenDescribeTheDevice() {
        CudaStatus s = CudaDriver.probe(FakeCuda.library());
        assertThat(s.available()).isTrue();
        assertThat(s.driverVersionString()).isEqualTo("13.0");
        assertThat(s.devices()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("Hounsfield fake CUDA device");
            assertThat(d.computeMajor()).isEqualTo(9);
        });
        try (CudaDevice d = open()) {
            assertThat(d.info().totalMemoryBytes()).isEqualTo(1L << 30);
            assertThat(FakeCuda.live(FakeCuda.Live.RETAINED)).isEqualTo(1);
            assertThat(FakeCuda.live(FakeCuda.Live.STREAMS)).isEqualTo(1);
        }
        assertThat(FakeCuda.live(FakeCuda.Live.RETAINED)).isZero();
        assertThat(FakeCuda.live(FakeCuda.Live.STREAMS)).isZero();
    }

    @Test
    void noSuchDeviceIsATypedError() {
        assertThatThrownBy(() -> CudaDriver.open(FakeCuda.library(), 3))
                .isInstanceOf(CudaException.class)
                .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.INVALID_DEVICE))
                .hasMessageContaining("cuDeviceGet").hasMessageContaining("CUDA_ERROR_INVALID_DEVICE");
    }

    @Test
    void bytesRoundTripThroughPinnedAndDeviceMemory() {
        try (CudaDevice d = open()) {
            int[] back = on(d, c -> {
                try (PinnedBuffer up = c.allocatePinned(64); PinnedBuffer down = c.allocatePinned(64);
                     DeviceBuffer a = c.allocate(64); DeviceBuffer b = c.allocate(64)) {
                    for (int i = 0; i < 16; i++) {
                        up.segment().setAtIndex(ValueLayout.JAVA_INT, i, i * i);
                    }
                    long free = c.memoryInfo()[0];
                    assertThat(free).isEqualTo((1L << 30) - 128);
                    c.copyToDevice(up.segment(), a, 0);
                    c.fill32(a, 8, 2, -7);         // ints 2 and 3
                    c.fill8(a, 60, 4, (byte) 0);   // int 15
                    c.copy(a, 0, b, 0, 64);
                    c.copyToHost(b, 0, down.segment());
                    c.synchronize();
                    return down.segment().toArray(ValueLayout.JAVA_INT);
                }
            });
            assertThat(back).containsExactly(0, 1, -7, -7, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 0);
        }
        assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isZero();
        assertThat(FakeCuda.live(FakeCuda.Live.PINNED)).isZero();
    }

    @Test
    void aKernelGetsItsGridBlockAndArgumentsInOrder() {
        try (CudaDevice d = open()) {
            FakeCuda.setParamCount(3);
            long[] address = new long[1];
            int[] out = on(d, c -> {
                try (CudaModule m = c.load("fake image".getBytes()); DeviceBuffer buf = c.allocate(4 * 300);
                     PinnedBuffer host = c.allocatePinned(4 * 300)) {
                    for (int i = 0; i < 300; i++) {
                        host.segment().setAtIndex(ValueLayout.JAVA_INT, i, i);
                    }
                    c.copyToDevice(host.segment(), buf, 0);
                    address[0] = buf.address();
                    c.launch(m.function("fake_add_i32"), Dim3.cover(300, 128), Dim3.of(128), 256, buf, 300, 5);
                    c.copyToHost(buf, 0, host.segment());
                    c.synchronize();
                    return host.segment().toArray(ValueLayout.JAVA_INT);
                }
            });
            for (int i = 0; i < 300; i++) {
                assertThat(out[i]).isEqualTo(i + 5);
            }
            assertThat(FakeCuda.lastKernel()).isEqualTo("fake_add_i32");
            assertThat(new int[] {FakeCuda.lastDim(0), FakeCuda.lastDim(1), FakeCuda.lastDim(2), FakeCuda.lastDim(3), FakeCuda.lastDim(6)})
                    .containsExactly(3, 1, 1, 128, 256);
            assertThat(FakeCuda.lastParam(0)).isEqualTo(address[0]);
            assertThat((int) FakeCuda.lastParam(1)).isEqualTo(300);
            assertThat((int) FakeCuda.lastParam(2)).isEqualTo(5);
        }
    }

    @Test
    void floatAndDoubleArgumentsKeepTheirBits() {
        try (CudaDevice d = open()) {
            FakeCuda.setParamCount(3);
            on(d, c -> {
                try (CudaModule m = c.load("fake image".getBytes())) {
                    c.launch(m.function("any_kernel"), Dim3.of(1), Dim3.of(1), 0, 1.25f, -2.5, 7L);
                    return null;
                }
            });
            assertThat(Float.intBitsToFloat((int) FakeCuda.lastParam(0))).isEqualTo(1.25f);
            assertThat(Double.longBitsToDouble(FakeCuda.lastParam(1))).isEqualTo(-2.5);
            assertThat(FakeCuda.lastParam(2)).isEqualTo(7L);
        }
    }

    @Test
    void theContextRefusesUseOffItsOwnerThread() {
        try (CudaDevice d = open()) {
            CudaContext c = on(d, ctx -> ctx);
            assertThatThrownBy(() -> c.allocate(16)).isInstanceOf(IllegalStateException.class).hasMessageContaining("owner thread");
        }
    }

    @Test
    void outOfMemoryIsTypedAndNotSticky() {
        FakeCuda.setMemoryLimit(4096);
        try (CudaDevice d = open()) {
            assertThatThrownBy(() -> on(d, c -> c.allocate(8192)))
                    .isInstanceOf(CudaException.class)
                    .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.OUT_OF_MEMORY))
                    .hasMessageContaining("cuMemAlloc_v2");
            assertThat(d.usable()).isTrue();
            long size = on(d, c -> c.allocate(1024).byteSize());
            assertThat(size).isEqualTo(1024);
        }
    }

    @Test
    void aStickyErrorMakesTheDeviceRefuseLaterWork() {
        try (CudaDevice d = open()) {
            assertThatThrownBy(() -> on(d, c -> {
                CudaModule m = c.load("fake image".getBytes());
                c.launch(m.function("fake_fault"), Dim3.of(1), Dim3.of(1), 0);
                c.synchronize(); // a kernel's fault surfaces at the next call
                return null;
            })).isInstanceOf(CudaException.class)
                    .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.ILLEGAL_ADDRESS));
            assertThat(d.usable()).isFalse();
            assertThat(d.stickyError()).isPresent();
            assertThatThrownBy(() -> on(d, c -> c.allocate(16)))
                    .isInstanceOf(CudaException.class)
                    .hasMessageContaining("unusable after").hasMessageContaining("CUDA_ERROR_ILLEGAL_ADDRESS");
        }
    }

    @Test
    void closingTheDeviceFreesWhatWasLeftOpen() {
        try (java.lang.foreign.Arena host = java.lang.foreign.Arena.ofShared(); CudaDevice d = open()) {
            MemorySegment mine = host.allocate(100);
            on(d, c -> {
                c.allocate(100);
                c.allocatePinned(100);
                c.register(mine); // unlocked, not freed: the memory is the caller's
                c.load("fake image".getBytes());
                c.record();
                return null;
            });
            assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isEqualTo(1);
        }
        for (FakeCuda.Live what : FakeCuda.Live.values()) {
            assertThat(FakeCuda.live(what)).as(what.name()).isZero();
        }
    }

    @Test
    void registeredHostMemoryIsCopiedStraightFromAndUnlockedOnClose() {
        try (java.lang.foreign.Arena host = java.lang.foreign.Arena.ofShared(); CudaDevice d = open()) {
            MemorySegment mine = host.allocate(64);
            mine.setAtIndex(ValueLayout.JAVA_INT, 3, 42);
            HostRegistration r = on(d, c -> c.register(mine));
            assertThat(FakeCuda.live(FakeCuda.Live.REGISTERED)).isOne();
            byte[] back = on(d, c -> {
                try (DeviceBuffer b = c.allocate(64)) {
                    c.copyToDevice(mine, b, 0);
                    MemorySegment out = mine.asSlice(32, 32);
                    c.copyToHost(b, 0, out);
                    c.synchronize();
                    return out.toArray(ValueLayout.JAVA_BYTE);
                }
            });
            assertThat(MemorySegment.ofArray(back).getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, 3)).isEqualTo(42);
            assertThat(FakeCuda.copiesWithRegisteredMemory()).isEqualTo(2);
            // An overlapping range is the driver's typed error; heap memory never reaches the driver.
            assertThatThrownBy(() -> on(d, c -> c.register(mine.asSlice(8, 8))))
                    .isInstanceOf(CudaException.class)
                    .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.HOST_MEMORY_ALREADY_REGISTERED));
            assertThatThrownBy(() -> on(d, c -> c.register(MemorySegment.ofArray(new byte[8])))).isInstanceOf(IllegalArgumentException.class);
            r.close(); // from the test thread: routed to the owner
            r.close();
            assertThat(FakeCuda.live(FakeCuda.Live.REGISTERED)).isZero();
            assertThat(mine.getAtIndex(ValueLayout.JAVA_INT, 3)).as("the memory is still the caller's").isEqualTo(42);
        }
    }

    @Test
    void resourcesCloseFromAnyThreadAndOnlyOnce() {
        try (CudaDevice d = open()) {
            DeviceBuffer b = on(d, c -> c.allocate(32));
            b.close(); // from the test thread: routed to the owner
            b.close();
            assertThat(FakeCuda.live(FakeCuda.Live.ALLOCATIONS)).isZero();
            assertThatThrownBy(b::address).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void copiesOutsideABufferAreRefusedBeforeTheDriver() {
        try (CudaDevice d = open()) {
            assertThatThrownBy(() -> on(d, c -> {
                DeviceBuffer b = c.allocate(16);
                c.copyToDevice(MemorySegment.ofArray(new byte[32]), b, 0);
                return null;
            })).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("16");
            assertThatThrownBy(() -> on(d, c -> c.allocate(0))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void badImagesAndMissingKernelsAreTypedErrors() {
        try (CudaDevice d = open()) {
            assertThatThrownBy(() -> on(d, c -> c.load("BAD!image".getBytes())))
                    .isInstanceOf(CudaException.class)
                    .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.INVALID_IMAGE));
            assertThatThrownBy(() -> on(d, c -> c.load("fake image".getBytes()).function("missing_kernel")))
                    .isInstanceOf(CudaException.class)
                    .satisfies(e -> assertThat(((CudaException) e).error()).isEqualTo(CudaError.NOT_FOUND))
                    .hasMessageContaining("cuModuleGetFunction");
        }
    }

    @Test
    void eventsTimeTheStream() {
        try (CudaDevice d = open()) {
            float ms = on(d, c -> {
                try (CudaEvent a = c.record(); CudaEvent b = c.record()) {
                    return b.elapsedMillisSince(a);
                }
            });
            assertThat(ms).isEqualTo(1.5f);
        }
    }

    @Test
    void aClosedDeviceRefusesWork() {
        CudaDevice d = open();
        d.close();
        d.close();
        assertThat(d.usable()).isFalse();
        assertThatThrownBy(() -> on(d, c -> null)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
