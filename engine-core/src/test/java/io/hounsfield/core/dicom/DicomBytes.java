package io.hounsfield.core.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes small explicit-VR little-endian Part 10 files by hand, for tests of malformed input. */
final class DicomBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static DicomBytes part10(String transferSyntax) {
        DicomBytes d = new DicomBytes();
        d.out.writeBytes(new byte[128]);
        d.out.writeBytes("DICM".getBytes(StandardCharsets.US_ASCII));
        d.text(Tag.TRANSFER_SYNTAX_UID, "UI", transferSyntax);
        return d;
    }

    DicomBytes text(int tag, String vr, String value) {
        byte[] v = value.getBytes(StandardCharsets.ISO_8859_1);
        if (v.length % 2 == 1) {
            v = (value + (vr.equals("UI") ? "\0" : " ")).getBytes(StandardCharsets.ISO_8859_1);
        }
        return element(tag, vr, v);
    }

    DicomBytes us(int tag, int value) {
        return element(tag, "US", ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) value).array());
    }

    DicomBytes element(int tag, String vr, byte[] value) {
        header(tag, vr, value.length);
        out.writeBytes(value);
        return this;
    }

    /** An element header only, with any length (for lying lengths). */
    DicomBytes header(int tag, String vr, long length) {
        ByteBuffer b = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (tag >>> 16)).putShort((short) tag).put((byte) vr.charAt(0)).put((byte) vr.charAt(1));
        boolean longForm = VR.valueOf(vr).hasLongLength();
        if (longForm) {
            b.putShort((short) 0).putInt((int) length);
        } else {
            b.putShort((short) length);
        }
        out.write(b.array(), 0, b.position());
        return this;
    }

    DicomBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    DicomBytes rawInt(int tag, long value) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) (tag >>> 16)).putShort((short) tag)
                .putInt((int) value);
        out.writeBytes(b.array());
        return this;
    }

    /** A 16-bit signed CT image header (Rows × Columns), without pixel data. */
    static DicomBytes ctHeader(int rows, int cols) {
        return part10(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())
                .text(Tag.MODALITY, "CS", "CT")
                .text(Tag.SERIES_INSTANCE_UID, "UI", "1.2.3")
                .text(Tag.IMAGE_POSITION_PATIENT, "DS", "0\\0\\0")
                .text(Tag.IMAGE_ORIENTATION_PATIENT, "DS", "1\\0\\0\\0\\1\\0")
                .text(Tag.PIXEL_SPACING, "DS", "0.5\\0.5")
                .us(Tag.SAMPLES_PER_PIXEL, 1)
                .text(Tag.PHOTOMETRIC_INTERPRETATION, "CS", "MONOCHROME2")
                .us(Tag.ROWS, rows)
                .us(Tag.COLUMNS, cols)
                .us(Tag.BITS_ALLOCATED, 16)
                .us(Tag.BITS_STORED, 12)
                .us(Tag.HIGH_BIT, 11)
                .us(Tag.PIXEL_REPRESENTATION, 1);
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
