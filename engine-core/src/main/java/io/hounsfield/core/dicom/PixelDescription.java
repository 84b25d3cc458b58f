package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

/**
 * The Image Pixel module of a dataset (PS3.3 §C.7.6.3), checked for what Hounsfield decodes:
 * one sample per pixel (MONOCHROME1/2), 8, 16 or 32 bits allocated, 1 ≤ BitsStored ≤ BitsAllocated,
 * HighBit < BitsAllocated.
 */
public record PixelDescription(int rows, int columns, int frames, int samplesPerPixel, int bitsAllocated, int bitsStored,
                               int highBit, boolean signed, String photometric) {

    /** Bytes of one frame in native encoding. */
    public long frameBytes() {
        return (long) rows * columns * samplesPerPixel * (bitsAllocated / 8);
    }

    public int pixelsPerFrame() {
        return rows * columns;
    }

    /** Reads and checks the pixel module of {@code ds}. */
    public static PixelDescription of(Dataset ds) throws DicomException {
        String src = ds.source();
        int rows = ds.requireInt(Tag.ROWS), cols = ds.requireInt(Tag.COLUMNS);
        int frames = ds.integer(Tag.NUMBER_OF_FRAMES).orElse(1);
        int spp = ds.integer(Tag.SAMPLES_PER_PIXEL).orElse(1);
        int ba = ds.requireInt(Tag.BITS_ALLOCATED);
        int bs = ds.integer(Tag.BITS_STORED).orElse(ba);
        int hb = ds.integer(Tag.HIGH_BIT).orElse(bs - 1);
        int pr = ds.integer(Tag.PIXEL_REPRESENTATION).orElse(0);
        String pi = ds.string(Tag.PHOTOMETRIC_INTERPRETATION).orElse("MONOCHROME2");
        if (rows < 1 || cols < 1) {
            throw new DicomException(Problem.BAD_DIMENSIONS, src, rows < 1 ? Tag.ROWS : Tag.COLUMNS, "must be >= 1, got " + rows + "×" + cols);
        }
        if (frames < 1) {
            throw new DicomException(Problem.BAD_DIMENSIONS, src, Tag.NUMBER_OF_FRAMES, "must be >= 1, got " + frames);
        }
        if (spp != 1 || !(pi.equals("MONOCHROME2") || pi.equals("MONOCHROME1"))) {
            throw new DicomException(Problem.UNSUPPORTED_DATATYPE, src, spp != 1 ? Tag.SAMPLES_PER_PIXEL : Tag.PHOTOMETRIC_INTERPRETATION,
                    "only greyscale images (1 sample, MONOCHROME1/2) form volumes; this one is " + pi + " with " + spp + " samples per pixel");
        }
        if (ba != 8 && ba != 16 && ba != 32) {
            throw new DicomException(Problem.UNSUPPORTED_DATATYPE, src, Tag.BITS_ALLOCATED, ba + " bits allocated; supported: 8, 16, 32");
        }
        if (bs < 1 || bs > ba) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.BITS_STORED, bs + " bits stored with " + ba + " allocated");
        }
        if (hb < bs - 1 || hb >= ba) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.HIGH_BIT, "high bit " + hb + " with " + bs + " stored of " + ba + " allocated");
        }
        if (pr != 0 && pr != 1) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_REPRESENTATION, "must be 0 or 1, got " + pr);
        }
        if (bs == 32 && pr == 0) {
            throw new DicomException(Problem.UNSUPPORTED_DATATYPE, src, Tag.BITS_STORED, "32-bit unsigned pixels are not supported");
        }
        if ((long) rows * cols * frames > Integer.MAX_VALUE) {
            throw new DicomException(Problem.BAD_DIMENSIONS, src, Tag.ROWS, rows + "×" + cols + "×" + frames + " pixels is absurd");
        }
        return new PixelDescription(rows, cols, frames, spp, ba, bs, hb, pr == 1, pi);
    }

    /** The stored value of a raw sample: bits below HighBit−BitsStored+1 dropped, BitsStored kept, sign-extended if signed. */
    public int value(long raw) {
        int shift = highBit - bitsStored + 1;
        long v = (raw >>> shift) & ((1L << bitsStored) - 1);
        if (signed && (v & (1L << (bitsStored - 1))) != 0) {
            v -= 1L << bitsStored;
        }
        return (int) v;
    }
}
