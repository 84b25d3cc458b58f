package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * JPEG (baseline, extended, lossless process 14 and SV1) and JPEG 2000 frames through Java ImageIO,
 * with TwelveMonkeys' JPEG reader (lossless and 12/16-bit) and jai-imageio's JPEG 2000 reader on the
 * class path. Decoded samples are taken as the stored bits and sign-extended per the DICOM header.
 */
final class ImageIoPixels {

    private ImageIoPixels() {
    }

    static int[] decode(byte[] frame, PixelDescription pd, TransferSyntax ts, String src) throws DicomException {
        boolean j2k = ts == TransferSyntax.JPEG_2000 || ts == TransferSyntax.JPEG_2000_LOSSLESS;
        if (!j2k) {
            rejectTwelveBitLossy(frame, src);
        }
        ImageReader reader = reader(j2k, src, ts);
        try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(frame))) {
            reader.setInput(iis, true, true);
            Raster r = reader.readRaster(0, null);
            if (r.getWidth() != pd.columns() || r.getHeight() != pd.rows()) {
                throw new DicomException(Problem.BAD_HEADER, src, Tag.ROWS, "the " + ts.title() + " frame is " + r.getWidth() + "×"
                        + r.getHeight() + ", the header says " + pd.columns() + "×" + pd.rows());
            }
            int n = pd.pixelsPerFrame();
            int[] out = new int[n];
            r.getSamples(r.getMinX(), r.getMinY(), pd.columns(), pd.rows(), 0, out);
            long mask = (1L << Math.min(32, pd.bitsStored() + pd.highBit() - pd.bitsStored() + 1)) - 1;
            for (int i = 0; i < n; i++) {
                out[i] = pd.value(out[i] & mask);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "cannot decode the " + ts.title() + " frame: " + e.getMessage(), e);
        } finally {
            reader.dispose();
        }
    }

    /**
     * Java's lossy JPEG decoder (which TwelveMonkeys delegates DCT decoding to) handles 8-bit samples
     * only; 12-bit DCT frames (Extended, process 4) would fail deep inside it, so they are named here.
     */
    private static void rejectTwelveBitLossy(byte[] f, String src) throws DicomException {
        int i = 2;
        while (i + 4 < f.length && (f[i] & 0xFF) == 0xFF) {
            int marker = f[i + 1] & 0xFF;
            int len = (f[i + 2] & 0xFF) << 8 | (f[i + 3] & 0xFF);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                boolean lossless = marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF;
                int precision = i + 4 < f.length ? f[i + 4] & 0xFF : 8;
                if (!lossless && precision > 8) {
                    throw new DicomException(Problem.UNSUPPORTED_FEATURE, src, Tag.TRANSFER_SYNTAX_UID, precision
                            + "-bit lossy JPEG (Extended, process 4) has no decoder here; decompress it first, e.g. "
                            + "`dcmdjpeg in.dcm out.dcm` (dcmtk) or `gdcmconv --raw in.dcm out.dcm` (GDCM)");
                }
                return;
            }
            i += 2 + len;
        }
    }

    private static ImageReader reader(boolean j2k, String src, TransferSyntax ts) throws DicomException {
        Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(j2k ? "jpeg2000" : "jpeg");
        ImageReader fallback = null;
        while (it.hasNext()) {
            ImageReader r = it.next();
            // Prefer TwelveMonkeys' JPEG reader: the JDK's cannot read lossless or 16-bit JPEG.
            if (j2k || r.getClass().getName().startsWith("com.twelvemonkeys")) {
                return r;
            }
            fallback = r;
        }
        if (fallback != null && ts != TransferSyntax.JPEG_LOSSLESS && ts != TransferSyntax.JPEG_LOSSLESS_SV1) {
            return fallback;
        }
        throw new DicomException(Problem.UNSUPPORTED_FEATURE, src, Tag.TRANSFER_SYNTAX_UID, "no ImageIO reader for " + ts.title()
                + " on the class path");
    }
}
