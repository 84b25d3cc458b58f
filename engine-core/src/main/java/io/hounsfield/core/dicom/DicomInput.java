package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.zip.ZipException;

/**
 * Reads DICOM primitives from a stream, tracking the position and refusing any length that runs past
 * the bytes that exist: when the stream's size is known a length beyond it fails before anything is
 * allocated; when it is not (deflated data) values are read in bounded chunks, so memory grows only
 * with bytes actually present.
 */
final class DicomInput {

    static final long UNDEFINED = 0xFFFFFFFFL;
    private static final int CHUNK = 1 << 20;

    private final BufferedInputStream in;
    private final String source;
    private long pos;
    private long limit;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    DicomInput(InputStream in, String source, long start, long limit) {
        this.in = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 1 << 16);
        this.source = source;
        this.pos = start;
        this.limit = limit;
    }

    String source() {
        return source;
    }

    long position() {
        return pos;
    }

    /** Bytes known to remain, or Long.MAX_VALUE when unknown. */
    long remaining() {
        return limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - pos;
    }

    void order(ByteOrder o) {
        order = o;
    }

    ByteOrder order() {
        return order;
    }

    /** Switches to an unknown-length stream (the inflated dataset of a deflated file). */
    DicomInput inflated(InputStream inflater) {
        return new DicomInput(inflater, source, pos, Long.MAX_VALUE);
    }

    InputStream raw() {
        return in;
    }

    /** True if no byte is left. */
    boolean atEnd() throws IOException {
        if (limit != Long.MAX_VALUE && pos >= limit) {
            return true;
        }
        in.mark(1);
        int b = read();
        in.reset();
        return b < 0;
    }

    /** The next {@code n} bytes without consuming them (fewer at the end of the stream). */
    byte[] peek(int n) throws IOException {
        in.mark(n);
        byte[] b = in.readNBytes(n);
        in.reset();
        return b;
    }

    private int read() throws IOException {
        try {
            return in.read();
        } catch (ZipException e) {
            throw new DicomException(Problem.TRUNCATED, source, -1, "corrupt deflated data at byte " + pos + ": " + e.getMessage(), e);
        }
    }

    int u8() throws IOException {
        int b = read();
        if (b < 0) {
            throw eof(1);
        }
        pos++;
        return b;
    }

    int u16() throws IOException {
        int a = u8(), b = u8();
        return order == ByteOrder.LITTLE_ENDIAN ? a | b << 8 : a << 8 | b;
    }

    long u32() throws IOException {
        long a = u16(), b = u16();
        return order == ByteOrder.LITTLE_ENDIAN ? a | b << 16 : a << 16 | b;
    }

    int tag() throws IOException {
        int group = u16(), element = u16();
        return group << 16 | element;
    }

    /** Checks that {@code n} bytes can exist here; throws TRUNCATED naming {@code tag} if not. */
    void checkLength(long n, int tag) throws DicomException {
        if (n < 0 || n > remaining()) {
            throw new DicomException(Problem.TRUNCATED, source, tag, "value length " + n + " at byte " + pos
                    + " runs past the end of the data (" + remaining() + " bytes left)");
        }
    }

    byte[] bytes(long n, int tag) throws IOException {
        checkLength(n, tag);
        if (n <= CHUNK) {
            byte[] b = readSome((int) n);
            if (b.length < n) {
                throw eof(n, tag);
            }
            return b;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(CHUNK);
        long left = n;
        while (left > 0) {
            byte[] b = readSome((int) Math.min(CHUNK, left));
            out.write(b, 0, b.length);
            left -= b.length;
            if (b.length == 0) {
                throw eof(n, tag);
            }
        }
        return out.toByteArray();
    }

    private byte[] readSome(int n) throws IOException {
        try {
            byte[] b = in.readNBytes(n);
            pos += b.length;
            return b;
        } catch (ZipException e) {
            throw new DicomException(Problem.TRUNCATED, source, -1, "corrupt deflated data at byte " + pos + ": " + e.getMessage(), e);
        }
    }

    void skip(long n, int tag) throws IOException {
        checkLength(n, tag);
        try {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (read() < 0) {
                        throw eof(n, tag);
                    }
                    s = 1;
                }
                left -= s;
                pos += s;
            }
        } catch (ZipException e) {
            throw new DicomException(Problem.TRUNCATED, source, tag, "corrupt deflated data: " + e.getMessage(), e);
        }
    }

    private DicomException eof(long wanted) {
        return new DicomException(Problem.TRUNCATED, source, -1, "file ends at byte " + pos + " (needed " + wanted + " more)");
    }

    private DicomException eof(long wanted, int tag) {
        return new DicomException(Problem.TRUNCATED, source, tag, "file ends at byte " + pos + " inside a " + wanted + "-byte value");
    }
}
