package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits-coded
 * segment per byte plane, most significant byte first.
 */
final class RlePixels {

    private RlePixels() {
    }

    static int[] decode(byte[] frame, PixelDescription pd, String src) throws DicomException {
        if (frame.length < 64) {
            throw new DicomException(Problem.TRUNCATED, src, Tag.PIXEL_DATA, "RLE frame of " + frame.length + " bytes has no 64-byte header");
        }
        ByteBuffer h = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int segments = h.getInt(0);
        int bytesPerSample = pd.bitsAllocated() / 8;
        if (segments != bytesPerSample * pd.samplesPerPixel()) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "RLE header lists " + segments + " segments; "
                    + pd.bitsAllocated() + "-bit pixels need " + bytesPerSample);
        }
        int n = pd.pixelsPerFrame();
        long[] raw = new long[n];
        for (int s = 0; s < segments; s++) {
            int start = h.getInt(4 + 4 * s);
            int end = s + 1 < segments ? h.getInt(8 + 4 * s) : frame.length;
            if (start < 64 || end > frame.length || start > end) {
                throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "RLE segment " + s + " offsets " + start + ".." + end
                        + " lie outside the " + frame.length + "-byte frame");
            }
            byte[] plane = unpack(frame, start, end, n, src);
            int shift = 8 * (bytesPerSample - 1 - s);
            for (int i = 0; i < n; i++) {
                raw[i] |= (long) (plane[i] & 0xFF) << shift;
            }
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = pd.value(raw[i]);
        }
        return out;
    }

    /** PackBits: header byte h ≥ 0 copies h+1 literal bytes, −127..−1 repeats the next byte 1−h times, −128 is a no-op. */
    private static byte[] unpack(byte[] in, int from, int to, int n, String src) throws DicomException {
        byte[] out = new byte[n];
        int o = 0, i = from;
        while (o < n && i < to) {
            int c = in[i++];
            if (c >= 0) {
                int len = c + 1;
                if (i + len > to || o + len > n) {
                    throw corrupt(src);
                }
                System.arraycopy(in, i, out, o, len);
                i += len;
                o += len;
            } else if (c != -128) {
                int len = 1 - c;
                if (i >= to || o + len > n) {
                    throw corrupt(src);
                }
                java.util.Arrays.fill(out, o, o + len, in[i++]);
                o += len;
            }
        }
        if (o < n) {
            throw new DicomException(Problem.TRUNCATED, src, Tag.PIXEL_DATA, "RLE segment decodes to " + o + " of " + n + " bytes");
        }
        return out;
    }

    private static DicomException corrupt(String src) {
        return new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "RLE run overflows its segment or frame");
    }
}
