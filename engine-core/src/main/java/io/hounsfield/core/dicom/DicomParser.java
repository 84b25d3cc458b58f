package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Parses DICOM Part 10 files (with or without the 128-byte preamble, with or without a file meta
 * group) up to the pixel data, whose position is recorded but whose bytes are not read
 * (PS3.10 §7, PS3.5 §7). Implicit VR little endian, explicit VR little and big endian, and deflated
 * explicit VR little endian; sequences and items of defined and undefined length, nested to
 * {@value #MAX_DEPTH} levels.
 */
public final class DicomParser {

    static final int MAX_DEPTH = 32;
    /** Values larger than this are not kept in memory, only located (private blobs, overlays, ...). */
    static final int MAX_KEPT_VALUE = 1 << 16;

    private DicomParser() {
    }

    /**
     * Reads the header of a DICOM file.
     *
     * @throws DicomException if the file is not DICOM or is malformed, naming the file and the tag
     * @throws IOException    if the file cannot be read
     */
    public static DicomFile parse(DicomSource src) throws IOException {
        long size = src.size();
        try (InputStream raw = src.open()) {
            DicomInput in = new DicomInput(raw, src.name(), 0, size);
            try {
                return parse(src, in);
            } catch (EOFException e) {
                throw new DicomException(Problem.TRUNCATED, src.name(), -1, "file ends early at byte " + in.position(), e);
            }
        }
    }

    private static DicomFile parse(DicomSource src, DicomInput in) throws IOException {
        byte[] head = in.peek(132);
        Dataset meta = new Dataset(src.name(), ByteOrder.LITTLE_ENDIAN);
        boolean preamble = head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        if (preamble) {
            in.skip(132, -1);
        }
        byte[] first = in.peek(6);
        if (first.length == 6 && (first[0] & 0xFF) == 0x02 && first[1] == 0 && VR.of(first[4], first[5]) != null) {
            readMeta(in, meta);
        } else if (preamble) {
            // A preamble and "DICM" but no meta group: tolerated, the dataset's encoding is guessed below.
            meta = new Dataset(src.name(), ByteOrder.LITTLE_ENDIAN);
        }
        String tsUid = meta.string(Tag.TRANSFER_SYNTAX_UID).orElse(null);
        TransferSyntax ts;
        if (tsUid == null) {
            ts = guess(in, src.name(), preamble || !meta.elements().isEmpty());
            tsUid = ts.uid();
        } else {
            ts = TransferSyntax.of(tsUid);
        }
        // Unknown UIDs are (by PS3.5 §10) explicit VR little endian with encapsulated pixel data.
        boolean explicit = ts == null || ts.explicitVr();
        ByteOrder order = ts == null ? ByteOrder.LITTLE_ENDIAN : ts.byteOrder();
        long metaEnd = in.position();
        DicomInput data = in;
        if (ts != null && ts.deflated()) {
            data = in.inflated(new InflaterInputStream(in.raw(), new Inflater(true), 1 << 16));
        }
        data.order(order);
        Dataset ds = new Dataset(src.name(), order);
        long[] pixel = {-2, -2, 0};
        readDataset(data, ds, -1, explicit, 0, pixel);
        return new DicomFile(src, meta, ds, tsUid, ts, metaEnd, pixel[0], pixel[1], (int) pixel[2]);
    }

    private static void readMeta(DicomInput in, Dataset meta) throws IOException {
        in.order(ByteOrder.LITTLE_ENDIAN);
        while (true) {
            byte[] next = in.peek(2);
            if (next.length < 2 || (next[0] & 0xFF | (next[1] & 0xFF) << 8) != 0x0002) {
                return;
            }
            int tag = in.tag();
            int b0 = in.u8(), b1 = in.u8();
            VR vr = VR.of(b0, b1);
            if (vr == null) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "file meta element has no valid VR (bytes "
                        + b0 + ", " + b1 + ")");
            }
            long len = vr.hasLongLength() ? skipReservedThenU32(in) : in.u16();
            if (len == DicomInput.UNDEFINED) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "undefined length in the file meta group");
            }
            long off = in.position();
            meta.put(new Element(tag, vr, in.bytes(len, tag), null, off, len));
        }
    }

    private static long skipReservedThenU32(DicomInput in) throws IOException {
        in.u16();
        return in.u32();
    }

    /** Guesses the encoding of a dataset without a meta group from its first element. */
    private static TransferSyntax guess(DicomInput in, String src, boolean claimedDicom) throws IOException {
        byte[] b = in.peek(8);
        if (b.length < 8) {
            throw new DicomException(Problem.BAD_MAGIC, src, -1, "not a DICOM file: " + b.length + " bytes");
        }
        int le = (b[0] & 0xFF) | (b[1] & 0xFF) << 8, be = (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
        boolean explicit = VR.of(b[4], b[5]) != null;
        // Without a meta group, demand what every image dataset starts with: group 0008 (or 0002 leftovers).
        if (le == 0x0008 || (claimedDicom && le >= 0x0001 && le < 0x0100)) {
            return explicit ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN : TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN;
        }
        if (be == 0x0008 && explicit) {
            return TransferSyntax.EXPLICIT_VR_BIG_ENDIAN;
        }
        throw new DicomException(Problem.BAD_MAGIC, src, -1, "not a DICOM file: no 'DICM' at byte 128, no file meta group, and the "
                + "first bytes are not a DICOM element (" + hex(b) + ")");
    }

    /**
     * Reads elements into {@code ds} until {@code end} (exclusive; -1 = until an item delimiter or the
     * end of the stream). At depth 0, stops at the pixel data and stores [offset, length, tag] in {@code pixel}.
     */
    private static void readDataset(DicomInput in, Dataset ds, long end, boolean explicit, int depth, long[] pixel) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new DicomException(Problem.BAD_HEADER, in.source(), -1, "sequences nested deeper than " + MAX_DEPTH + " levels");
        }
        while (true) {
            if (end >= 0 ? in.position() >= end : (depth == 0 && in.atEnd())) {
                return;
            }
            int tag = in.tag();
            if (tag == Tag.ITEM_DELIMITATION) {
                in.u32();
                if (end >= 0 || depth == 0) {
                    throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "item delimiter outside an item of undefined length");
                }
                return;
            }
            if (tag == Tag.SEQUENCE_DELIMITATION || tag == Tag.ITEM) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "sequence delimiter or item outside a sequence at byte "
                        + (in.position() - 4));
            }
            VR vr;
            long len;
            if (explicit) {
                int b0 = in.u8(), b1 = in.u8();
                vr = VR.of(b0, b1);
                if (vr == null) {
                    // PS3.5 §6.2.2: an unknown VR is read like UN (reserved bytes, 32-bit length).
                    vr = VR.UN;
                    len = skipReservedThenU32(in);
                } else {
                    len = vr.hasLongLength() ? skipReservedThenU32(in) : in.u16();
                }
            } else {
                vr = Dictionary.vr(tag);
                len = in.u32();
            }
            long off = in.position();
            boolean pixelTag = tag == Tag.PIXEL_DATA || tag == Tag.FLOAT_PIXEL_DATA || tag == Tag.DOUBLE_PIXEL_DATA;
            if (pixelTag && depth == 0) {
                pixel[0] = off;
                pixel[1] = len == DicomInput.UNDEFINED ? -1 : len;
                pixel[2] = tag;
                if (len != DicomInput.UNDEFINED) {
                    in.checkLength(len, tag);
                }
                ds.put(new Element(tag, vr, null, null, off, pixel[1]));
                return; // the header ends here; pixels are read on demand
            }
            if (len == DicomInput.UNDEFINED) {
                if (vr == VR.SQ || vr == VR.UN || !explicit) {
                    // UN of undefined length holds an implicit-VR little-endian sequence (PS3.5 §6.2.2).
                    boolean itemsExplicit = explicit && vr == VR.SQ;
                    ByteOrder saved = in.order();
                    if (vr == VR.UN && explicit) {
                        in.order(ByteOrder.LITTLE_ENDIAN);
                    }
                    List<Dataset> items = readSequence(in, -1, itemsExplicit, depth + 1, tag);
                    in.order(saved);
                    ds.put(new Element(tag, VR.SQ, null, items, off, -1));
                } else if (pixelTag) {
                    skipFragments(in, tag); // encapsulated pixel data inside an item (an icon image)
                    ds.put(new Element(tag, vr, null, null, off, -1));
                } else {
                    throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "undefined length on a " + vr + " element");
                }
            } else if (vr == VR.SQ) {
                in.checkLength(len, tag);
                ds.put(new Element(tag, vr, null, readSequence(in, off + len, explicit, depth + 1, tag), off, len));
            } else if (len <= MAX_KEPT_VALUE) {
                ds.put(new Element(tag, vr, in.bytes(len, tag), null, off, len));
            } else {
                in.skip(len, tag);
                ds.put(new Element(tag, vr, null, null, off, len));
            }
            if (end >= 0 && in.position() > end) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), tag, "element runs past the end of its item or sequence");
            }
        }
    }

    private static List<Dataset> readSequence(DicomInput in, long end, boolean explicit, int depth, int seqTag) throws IOException {
        List<Dataset> items = new ArrayList<>();
        while (end < 0 || in.position() < end) {
            int tag = in.tag();
            long len = in.u32();
            if (tag == Tag.SEQUENCE_DELIMITATION) {
                if (end >= 0) {
                    throw new DicomException(Problem.BAD_HEADER, in.source(), seqTag, "sequence delimiter in a sequence of defined length");
                }
                return items;
            }
            if (tag != Tag.ITEM) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), seqTag, "expected an item (FFFE,E000) in the sequence, found "
                        + Tag.format(tag) + " at byte " + (in.position() - 8));
            }
            Dataset item = new Dataset(in.source(), in.order());
            if (len == DicomInput.UNDEFINED) {
                readDataset(in, item, -1, explicit, depth, null);
            } else {
                in.checkLength(len, seqTag);
                readDataset(in, item, in.position() + len, explicit, depth, null);
            }
            items.add(item);
        }
        if (in.position() != end) {
            throw new DicomException(Problem.BAD_HEADER, in.source(), seqTag, "items overrun the sequence's length");
        }
        return items;
    }

    private static void skipFragments(DicomInput in, int pixelTag) throws IOException {
        while (true) {
            int tag = in.tag();
            long len = in.u32();
            if (tag == Tag.SEQUENCE_DELIMITATION) {
                return;
            }
            if (tag != Tag.ITEM || len == DicomInput.UNDEFINED) {
                throw new DicomException(Problem.BAD_HEADER, in.source(), pixelTag, "malformed pixel data fragment at byte " + (in.position() - 8));
            }
            in.skip(len, pixelTag);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x ", x & 0xFF));
        }
        String printable = new String(b, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
        return s.toString().trim() + " \"" + printable + "\"";
    }
}
