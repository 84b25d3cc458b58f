package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A parsed DICOM file: its meta group and dataset up to the pixel data, and where the pixel data
 * lies. Pixels are read only by {@link #decodeFrames()}. Immutable; decoding reopens the source, so
 * several files decode in parallel.
 */
public final class DicomFile {

    private final DicomSource source;
    private final Dataset meta;
    private final Dataset dataset;
    private final String transferSyntaxUid;
    private final TransferSyntax transferSyntax;
    private final long metaEnd;
    private final long pixelOffset;
    private final long pixelLength;
    private final int pixelTag;

    DicomFile(DicomSource source, Dataset meta, Dataset dataset, String transferSyntaxUid, TransferSyntax transferSyntax,
              long metaEnd, long pixelOffset, long pixelLength, int pixelTag) {
        this.source = source;
        this.meta = meta;
        this.dataset = dataset;
        this.transferSyntaxUid = transferSyntaxUid;
        this.transferSyntax = transferSyntax;
        this.metaEnd = metaEnd;
        this.pixelOffset = pixelOffset;
        this.pixelLength = pixelLength;
        this.pixelTag = pixelTag;
    }

    public String name() {
        return source.name();
    }

    public DicomSource source() {
        return source;
    }

    public Dataset meta() {
        return meta;
    }

    public Dataset dataset() {
        return dataset;
    }

    /** The transfer syntax, or null if its UID is not one Hounsfield knows ({@link #transferSyntaxUid()}). */
    public TransferSyntax transferSyntax() {
        return transferSyntax;
    }

    public String transferSyntaxUid() {
        return transferSyntaxUid;
    }

    /** True if the dataset has pixel data (images do; reports, plans and structure sets do not). */
    public boolean hasPixelData() {
        return pixelOffset >= 0;
    }

    /**
     * Decodes every frame to stored values (bits beyond BitsStored dropped, sign-extended when
     * PixelRepresentation is 1; no rescale), one int array per frame, row by row.
     *
     * @throws DicomException for missing pixel data, an unsupported or unknown transfer syntax, an
     *                        inconsistent pixel description, or corrupt compressed data
     */
    public int[][] decodeFrames() throws IOException {
        try {
            return decode();
        } catch (java.io.EOFException | java.util.zip.ZipException e) {
            throw new DicomException(Problem.TRUNCATED, name(), Tag.PIXEL_DATA, "pixel data ends early or is corrupt: " + e.getMessage(), e);
        }
    }

    private int[][] decode() throws IOException {
        if (!hasPixelData()) {
            throw new DicomException(Problem.BAD_HEADER, name(), Tag.PIXEL_DATA, "the file has no pixel data");
        }
        if (pixelTag != Tag.PIXEL_DATA) {
            throw new DicomException(Problem.UNSUPPORTED_DATATYPE, name(), pixelTag, "float pixel data is not supported");
        }
        PixelDescription pd = PixelDescription.of(dataset);
        TransferSyntax ts = transferSyntax;
        if (ts == null) {
            throw new DicomException(Problem.UNSUPPORTED_FEATURE, name(), Tag.TRANSFER_SYNTAX_UID, "unknown transfer syntax "
                    + transferSyntaxUid + "; " + TransferSyntax.JPEG_LS_LOSSLESS.transcodeHint());
        }
        if (!ts.decodable()) {
            throw new DicomException(Problem.UNSUPPORTED_FEATURE, name(), Tag.TRANSFER_SYNTAX_UID, "no decoder for " + ts + "; "
                    + ts.transcodeHint());
        }
        if (!ts.encapsulated()) {
            if (pixelLength < 0) {
                throw new DicomException(Problem.BAD_HEADER, name(), Tag.PIXEL_DATA, "undefined length in a native transfer syntax");
            }
            long need = pd.frameBytes() * pd.frames();
            if (pixelLength < need) {
                throw new DicomException(Problem.TRUNCATED, name(), Tag.PIXEL_DATA, "holds " + pixelLength + " bytes; " + pd.rows() + "×"
                        + pd.columns() + "×" + pd.frames() + " frames of " + pd.bitsAllocated() + " bits need " + need);
            }
            try (InputStream in = openAt(pixelOffset)) {
                byte[] bytes = in.readNBytes((int) Math.min(need, Integer.MAX_VALUE - 8));
                if (bytes.length < need) {
                    throw new DicomException(Problem.TRUNCATED, name(), Tag.PIXEL_DATA, "file ends after " + bytes.length + " of " + need + " pixel bytes");
                }
                return NativePixels.decode(bytes, pd, ts.byteOrder());
            }
        }
        List<byte[]> frames = encapsulatedFrames(pd.frames());
        int[][] out = new int[pd.frames()][];
        for (int f = 0; f < out.length; f++) {
            out[f] = ts == TransferSyntax.RLE_LOSSLESS
                    ? RlePixels.decode(frames.get(f), pd, name())
                    : ImageIoPixels.decode(frames.get(f), pd, ts, name());
        }
        return out;
    }

    /** A stream positioned at {@code offset} of the dataset stream (inflating for deflated files). */
    private InputStream openAt(long offset) throws IOException {
        InputStream raw = source.open();
        try {
            if (transferSyntax != null && transferSyntax.deflated()) {
                raw.skipNBytes(metaEnd);
                InputStream inf = new InflaterInputStream(raw, new Inflater(true), 1 << 16);
                inf.skipNBytes(offset - metaEnd);
                return inf;
            }
            raw.skipNBytes(offset);
            return raw;
        } catch (IOException e) {
            raw.close();
            throw new DicomException(Problem.TRUNCATED, name(), Tag.PIXEL_DATA, "cannot reach the pixel data at byte " + offset, e);
        }
    }

    /** The compressed bytes of each frame: fragments grouped by the basic offset table, or one per frame, or by codestream starts. */
    private List<byte[]> encapsulatedFrames(int frameCount) throws IOException {
        List<byte[]> fragments = new ArrayList<>();
        List<Long> fragmentOffsets = new ArrayList<>();
        byte[] bot;
        long size = source.size();
        try (InputStream raw = openAt(pixelOffset)) {
            DicomInput in = new DicomInput(raw, name(), pixelOffset, transferSyntax.deflated() ? Long.MAX_VALUE : size);
            bot = null;
            long firstItem = -1;
            while (true) {
                long at = in.position();
                int tag = in.tag();
                long len = in.u32();
                if (tag == Tag.SEQUENCE_DELIMITATION) {
                    break;
                }
                if (tag != Tag.ITEM || len == DicomInput.UNDEFINED) {
                    throw new DicomException(Problem.BAD_HEADER, name(), Tag.PIXEL_DATA, "expected a fragment item at byte " + at
                            + ", found " + Tag.format(tag));
                }
                byte[] value = in.bytes(len, Tag.PIXEL_DATA);
                if (bot == null) {
                    bot = value;
                    firstItem = in.position();
                } else {
                    fragments.add(value);
                    fragmentOffsets.add(at - firstItem);
                }
            }
        }
        if (fragments.isEmpty()) {
            throw new DicomException(Problem.TRUNCATED, name(), Tag.PIXEL_DATA, "encapsulated pixel data has no fragments");
        }
        List<byte[]> frames = new ArrayList<>();
        if (frameCount == 1) {
            frames.add(concat(fragments, 0, fragments.size()));
        } else if (fragments.size() == frameCount) {
            frames.addAll(fragments);
        } else if (bot != null && bot.length == 4L * frameCount) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bot).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int from = 0;
            for (int f = 0; f < frameCount; f++) {
                long next = f + 1 < frameCount ? b.getInt(4 * (f + 1)) & 0xFFFFFFFFL : Long.MAX_VALUE;
                int to = from;
                while (to < fragments.size() && fragmentOffsets.get(to) < next) {
                    to++;
                }
                frames.add(concat(fragments, from, to));
                from = to;
            }
        } else {
            // No usable offset table: a frame starts at each fragment that opens a JPEG or JPEG 2000 codestream.
            int from = 0;
            for (int i = 1; i <= fragments.size(); i++) {
                if (i == fragments.size() || startsCodestream(fragments.get(i))) {
                    frames.add(concat(fragments, from, i));
                    from = i;
                }
            }
        }
        if (frames.size() != frameCount) {
            throw new DicomException(Problem.BAD_HEADER, name(), Tag.NUMBER_OF_FRAMES, frameCount + " frames announced, but the "
                    + fragments.size() + " fragments hold " + frames.size());
        }
        return frames;
    }

    private static boolean startsCodestream(byte[] f) {
        return f.length >= 2 && (f[0] & 0xFF) == 0xFF && ((f[1] & 0xFF) == 0xD8 || (f[1] & 0xFF) == 0x4F);
    }

    private static byte[] concat(List<byte[]> parts, int from, int to) {
        if (to - from == 1) {
            return parts.get(from);
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            n += parts.get(i).length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (int i = from; i < to; i++) {
            System.arraycopy(parts.get(i), 0, out, at, parts.get(i).length);
            at += parts.get(i).length;
        }
        return out;
    }
}
