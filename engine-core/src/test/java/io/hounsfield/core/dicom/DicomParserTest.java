package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;
import org.junit.jupiter.api.Test;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hand-built files: what the parser reads, what it refuses, and that it reads no more than it must. */
class DicomParserTest {

    private static DicomSource counting(byte[] bytes, AtomicLong read) {
        return new DicomSource() {
            @Override
            public String name() {
                return "counted.dcm";
            }

            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new FilterInputStream(new java.io.ByteArrayInputStream(bytes)) {
                    @Override
                    public int read() throws IOException {
                        int b = super.read();
                        if (b >= 0) {
                            read.incrementAndGet();
                        }
                        return b;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            read.addAndGet(n);
                        }
                        return n;
                    }
                };
            }
        };
    }

    private static byte[] ct(int rows, int cols, short[] pixels) {
        ByteBuffer px = ByteBuffer.allocate(pixels.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short p : pixels) {
            px.putShort(p);
        }
        return DicomBytes.ctHeader(rows, cols).element(Tag.PIXEL_DATA, "OW", px.array()).bytes();
    }

    private static void refuses(byte[] file, Problem problem, String... fragments) {
        assertThatThrownBy(() -> DicomParser.parse(DicomSource.of(file, "bad.dcm")).decodeFrames())
                .isInstanceOf(DicomException.class)
                .hasMessageContaining("bad.dcm")
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(((DicomException) e).problem()).isEqualTo(problem));
    }

    @Test
    void readingTheHeaderDoesNotReadThePixels() throws IOException {
        short[] px = new short[1024 * 1024]; // 2 MiB of pixel data
        byte[] file = ct(1024, 1024, px);
        AtomicLong read = new AtomicLong();
        DicomFile f = DicomParser.parse(counting(file, read));
        assertThat(f.hasPixelData()).isTrue();
        // At most the header plus one 64 KiB buffer fill, far from the 2 MiB file.
        assertThat(read.get()).isLessThan(file.length - 2 * 1024 * 1024 + (1 << 16) + 1);
    }

    @Test
    void storedValuesAreMaskedToBitsStoredAndSignExtended() throws IOException {
        // 12 bits stored, signed: 0x0FFF is -1, 0x0800 is -2048, 0x07FF is 2047; bits 12-15 are ignored (overlay garbage).
        byte[] file = ct(1, 4, new short[] {0x0FFF, 0x0800, 0x07FF, (short) 0xF005});
        int[][] frames = DicomParser.parse(DicomSource.of(file, "x.dcm")).decodeFrames();
        assertThat(frames[0]).containsExactly(-1, -2048, 2047, 5);
    }

    @Test
    void absurdLengthsNeverAllocate() {
        // A text element claiming 4 GiB: refused before any buffer exists.
        byte[] lying = DicomBytes.part10(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()).header(Tag.MODALITY, "UT", 0xFFFFFFF0L).bytes();
        assertThatThrownBy(() -> DicomParser.parse(DicomSource.of(lying, "bad.dcm")))
                .isInstanceOf(DicomException.class).hasMessageContaining("runs past the end")
                .satisfies(e -> assertThat(((DicomException) e).problem()).isEqualTo(Problem.TRUNCATED));
        // Pixel data claiming more than the file holds.
        byte[] pixels = DicomBytes.ctHeader(512, 512).header(Tag.PIXEL_DATA, "OW", 512 * 512 * 2).raw(new byte[100]).bytes();
        refuses(pixels, Problem.TRUNCATED, "PixelData");
    }

    @Test
    void pixelDataShorterThanTheDescriptionIsRefused() {
        byte[] file = DicomBytes.ctHeader(4, 4).element(Tag.PIXEL_DATA, "OW", new byte[20]).bytes();
        refuses(file, Problem.TRUNCATED, "holds 20 bytes", "need 32");
    }

    @Test
    void missingRequiredAttributesAreNamed() {
        byte[] noRows = DicomBytes.part10(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()).us(Tag.COLUMNS, 2).us(Tag.BITS_ALLOCATED, 16)
                .element(Tag.PIXEL_DATA, "OW", new byte[8]).bytes();
        refuses(noRows, Problem.BAD_HEADER, "(0028,0010) Rows", "missing");
        byte[] badBits = DicomBytes.ctHeader(2, 2).us(Tag.BITS_STORED, 20).element(Tag.PIXEL_DATA, "OW", new byte[8]).bytes();
        // BITS_STORED appears twice; the later value wins in the map (20 > 16 allocated).
        refuses(badBits, Problem.BAD_HEADER, "BitsStored");
    }

    @Test
    void nonDicomBytesAreRecognised() {
        assertThatThrownBy(() -> DicomParser.parse(DicomSource.of("hello world, not DICOM".getBytes(), "text.txt")))
                .isInstanceOf(DicomException.class).hasMessageContaining("not a DICOM file")
                .satisfies(e -> assertThat(((DicomException) e).problem()).isEqualTo(Problem.BAD_MAGIC));
        assertThatThrownBy(() -> DicomParser.parse(DicomSource.of(new byte[0], "empty")))
                .isInstanceOf(DicomException.class);
    }

    @Test
    void deeplyNestedSequencesAreRefusedNotOverflowed() {
        DicomBytes d = DicomBytes.part10(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
        for (int i = 0; i < 200; i++) {
            d.header(0x00081115, "SQ", 0xFFFFFFFFL).rawInt(Tag.ITEM, 0xFFFFFFFFL);
        }
        assertThatThrownBy(() -> DicomParser.parse(DicomSource.of(d.bytes(), "deep.dcm")))
                .isInstanceOf(DicomException.class).hasMessageContaining("nested deeper than 32");
    }

    @Test
    void unknownTransferSyntaxParsesButDoesNotDecode() throws IOException {
        byte[] file = DicomBytes.part10("1.2.3.4.5.6.7").text(Tag.MODALITY, "CS", "CT").us(Tag.ROWS, 1).us(Tag.COLUMNS, 1)
                .us(Tag.BITS_ALLOCATED, 16).element(Tag.PIXEL_DATA, "OW", new byte[2]).bytes();
        DicomFile f = DicomParser.parse(DicomSource.of(file, "bad.dcm"));
        assertThat(f.transferSyntax()).isNull();
        refuses(file, Problem.UNSUPPORTED_FEATURE, "unknown transfer syntax 1.2.3.4.5.6.7");
    }
}
