package io.hounsfield.core.io.nifti;

import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.VolumeFormatException.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad files get a typed error naming the file and what is wrong; nothing half-read comes back. */
class NiftiReaderErrorTest {

    @TempDir
    Path dir;

    private final NiftiReader reader = new NiftiReader();

    private byte[] good() throws IOException {
        return Files.readAllBytes(NiftiFixtures.path("dtype_int16.nii"));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path patched(String name, Consumer<ByteBuffer> edit) throws IOException {
        byte[] b = good();
        edit.accept(ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN));
        return write(name, b);
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    private void expect(Path p, Problem problem, String... fragments) {
        assertThatThrownBy(() -> reader.read(p))
                .isInstanceOf(VolumeFormatException.class)
                .hasMessageContaining(p.getFileName().toString())
                .hasMessageContainingAll(fragments.length == 0 ? new String[] {": "} : fragments)
                .satisfies(e -> assertThat(((VolumeFormatException) e).problem()).isEqualTo(problem));
    }

    @Test
    void emptyAndShortFilesAreTruncated() throws IOException {
        expect(write("empty.nii", new byte[0]), Problem.TRUNCATED, "348-byte header");
        expect(write("short.nii", Arrays.copyOf(good(), 200)), Problem.TRUNCATED, "after 200 bytes");
    }

    @Test
    void truncatedVoxelDataIsReportedBeforeAllocation() throws IOException {
        byte[] b = good();
        expect(write("cut.nii", Arrays.copyOf(b, b.length - 10)), Problem.TRUNCATED, "file has " + (b.length - 10));
    }

    @Test
    void truncatedGzipVoxelDataIsReported() throws IOException {
        byte[] b = good();
        expect(write("cut.nii.gz", gzip(Arrays.copyOf(b, b.length - 10))), Problem.TRUNCATED, "voxel data ends after");
        byte[] z = gzip(b);
        expect(write("cut-stream.nii.gz", Arrays.copyOf(z, z.length / 2)), Problem.TRUNCATED);
    }

    @Test
    void wrongMagicAndNonNiftiFiles() throws IOException {
        expect(patched("magic.nii", b -> b.put(344, (byte) 'x')), Problem.BAD_MAGIC, "magic", "n+1");
        expect(patched("pair.nii", b -> b.put(345, (byte) 'i').put(346, (byte) '1')), Problem.UNSUPPORTED_FEATURE, ".hdr/.img");
        expect(patched("nifti2.nii", b -> b.putInt(0, 540)), Problem.UNSUPPORTED_FEATURE, "NIfTI-2");
        byte[] noise = new byte[4096];
        new SplittableRandom(7).nextBytes(noise);
        expect(write("noise.nii", noise), Problem.BAD_MAGIC, "sizeof_hdr");
        expect(write("text.nii", "hello, this is not an image".repeat(20).getBytes()), Problem.BAD_MAGIC);
    }

    @Test
    void unsupportedAndInconsistentDatatypes() throws IOException {
        expect(patched("u32.nii", b -> b.putShort(70, (short) 768).putShort(72, (short) 32)), Problem.UNSUPPORTED_DATATYPE, "uint32", "768");
        expect(patched("rgb.nii", b -> b.putShort(70, (short) 128).putShort(72, (short) 24)), Problem.UNSUPPORTED_DATATYPE, "rgb24");
        expect(patched("code.nii", b -> b.putShort(70, (short) 3)), Problem.BAD_HEADER, "datatype 3");
        expect(patched("bitpix.nii", b -> b.putShort(72, (short) 8)), Problem.BAD_HEADER, "bitpix 8");
    }

    @Test
    void badDimensions() throws IOException {
        expect(patched("ndim.nii", b -> b.putShort(40, (short) 9)), Problem.BAD_DIMENSIONS, "dim[0] = 9");
        expect(patched("neg.nii", b -> b.putShort(44, (short) -4)), Problem.BAD_DIMENSIONS, "dim[2] = -4");
        expect(patched("zero.nii", b -> b.putShort(42, (short) 0)), Problem.BAD_DIMENSIONS, "dim[1] = 0");
        // Huge dimensions in a small plain file: rejected from the file size, before any allocation.
        expect(patched("huge.nii", b -> b.putShort(42, Short.MAX_VALUE).putShort(44, Short.MAX_VALUE).putShort(46, Short.MAX_VALUE)),
                Problem.TRUNCATED, "32767×32767×32767");
    }

    @Test
    void hugeDimensionsInASmallGzipFileAreRejectedWithoutAllocating() throws IOException {
        byte[] b = good();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(42, Short.MAX_VALUE).putShort(44, Short.MAX_VALUE).putShort(46, (short) 100);
        expect(write("huge.nii.gz", gzip(b)), Problem.BAD_DIMENSIONS, "more than a", "gzip file can hold");
    }

    @Test
    void badGeometryAndOffsets() throws IOException {
        // sform off, qform on, with a zero spacing.
        expect(patched("pixdim.nii", b -> b.putShort(254, (short) 0).putFloat(80, 0f)), Problem.BAD_GEOMETRY, "pixdim[1]");
        expect(patched("sform.nii", b -> {
            for (int i = 0; i < 12; i++) {
                b.putFloat(280 + 4 * i, 0f);
            }
            b.putShort(252, (short) 0);
        }), Problem.BAD_GEOMETRY, "sform");
        expect(patched("vox.nii", b -> b.putFloat(108, 100f)), Problem.BAD_HEADER, "vox_offset");
        expect(patched("slope.nii", b -> b.putFloat(112, Float.POSITIVE_INFINITY)), Problem.BAD_HEADER, "scl_slope");
    }

    @Test
    void randomCorruptionNeverEscapesAsAnUntypedError() throws IOException {
        // A small bounded fuzz: flip bytes of the header; every outcome is a volume or a VolumeFormatException.
        byte[] base = good();
        SplittableRandom rnd = new SplittableRandom(20261129);
        for (int round = 0; round < 300; round++) {
            byte[] b = base.clone();
            for (int k = 0, n = 1 + rnd.nextInt(4); k < n; k++) {
                b[rnd.nextInt(352)] = (byte) rnd.nextInt(256);
            }
            Path p = write("fuzz.nii", b);
            try (var v = reader.read(p)) {
                assertThat(v.voxelCount()).isPositive();
            } catch (VolumeFormatException expected) {
                assertThat(expected.getMessage()).contains("fuzz.nii");
            }
        }
    }
}
