package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.Raster;
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

    /** Decoder threads that never finished (corrupt codestreams); past the limit, compressed frames are refused. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNAWAY = new java.util.concurrent.atomic.AtomicInteger();
    static final int MAX_RUNAWAY = 2;

    /**
     * Decodes one frame on a watchdog thread. The ImageIO codecs (jj2000 above all) can loop forever on a
     * corrupt codestream, and a Java thread cannot be stopped: after {@link #timeoutMillis} the frame is
     * refused, the stuck thread is left to the OS as a daemon, and after {@value #MAX_RUNAWAY} such
     * threads compressed frames are refused outright rather than burn more cores.
     */
    static int[] decode(byte[] frame, PixelDescription pd, TransferSyntax ts, String src) throws DicomException {
        if (RUNAWAY.get() >= MAX_RUNAWAY) {
            throw new DicomException(Problem.UNSUPPORTED_FEATURE, src, Tag.PIXEL_DATA, MAX_RUNAWAY + " earlier " + ts.title()
                    + " frames hung the decoder; compressed frames are refused until restart");
        }
        java.util.concurrent.CompletableFuture<int[]> result = new java.util.concurrent.CompletableFuture<>();
        Thread t = Thread.ofPlatform().daemon().name("hounsfield-imageio-decode").start(() -> {
            try {
                result.complete(decodeNow(frame, pd, ts, src));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        long timeout = timeoutMillis(frame.length);
        try {
            return result.get(timeout, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            t.interrupt();
            RUNAWAY.incrementAndGet();
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "the " + ts.title() + " decoder did not finish within "
                    + timeout / 1000 + " s: the codestream is corrupt");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "interrupted while decoding", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof DicomException d) {
                throw d;
            }
            if (c instanceof VirtualMachineError v) {
                throw v;
            }
            // jj2000 reports corrupt codestreams with java.lang.Error; TwelveMonkeys with IIOException.
            throw new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "cannot decode the " + ts.title() + " frame: " + c, c);
        }
    }

    /** 10 s, plus 10 s per MiB of codestream: far beyond any sound frame, even large ones. */
    static long timeoutMillis(long bytes) {
        return 10_000 + bytes * 10_000 / (1 << 20);
    }

    private static int[] decodeNow(byte[] frame, PixelDescription pd, TransferSyntax ts, String src) throws DicomException, IOException {
        boolean j2k = ts == TransferSyntax.JPEG_2000 || ts == TransferSyntax.JPEG_2000_LOSSLESS;
        if (!j2k && isTwelveBitLossy(frame)) {
            return finish(JpegDctDecoder.decode(frame, src), pd, src, ts);
        }
        ImageReader reader = reader(j2k, src, ts);
        try (ImageInputStream iis = new StrictByteStream(frame)) {
            reader.setInput(iis, true, true);
            Raster r = reader.readRaster(0, null);
            if (r.getWidth() != pd.columns() || r.getHeight() != pd.rows()) {
                throw new DicomException(Problem.BAD_HEADER, src, Tag.ROWS, "the " + ts.title() + " frame is " + r.getWidth() + "×"
                        + r.getHeight() + ", the header says " + pd.columns() + "×" + pd.rows());
            }
            int[] out = new int[pd.pixelsPerFrame()];
            r.getSamples(r.getMinX(), r.getMinY(), pd.columns(), pd.rows(), 0, out);
            return finish(out, pd, src, ts);
        } finally {
            reader.dispose();
        }
    }

    /** Decoded samples → stored values: the header's bits kept and sign-extended. */
    private static int[] finish(int[] samples, PixelDescription pd, String src, TransferSyntax ts) throws DicomException {
        if (samples.length != pd.pixelsPerFrame()) {
            throw new DicomException(Problem.BAD_HEADER, src, Tag.ROWS, "the " + ts.title() + " frame holds " + samples.length
                    + " samples, the header " + pd.rows() + "×" + pd.columns());
        }
        long mask = (1L << Math.min(32, pd.highBit() + 1)) - 1;
        for (int i = 0; i < samples.length; i++) {
            samples[i] = pd.value(samples[i] & mask);
        }
        return samples;
    }

    /**
     * True for a DCT (lossy) JPEG with more than 8 bits per sample: Java's decoder (to which TwelveMonkeys
     * delegates lossy frames) handles 8 bits only, so these go to {@link JpegDctDecoder}.
     */
    private static boolean isTwelveBitLossy(byte[] f) {
        int i = 2;
        while (i + 4 < f.length && (f[i] & 0xFF) == 0xFF) {
            int marker = f[i + 1] & 0xFF;
            int len = (f[i + 2] & 0xFF) << 8 | (f[i + 3] & 0xFF);
            boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (sof) {
                boolean lossless = marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF;
                return !lossless && (f[i + 4] & 0xFF) > 8;
            }
            i += 2 + len;
        }
        return false;
    }

    /**
     * An ImageInputStream over a byte array that throws at the end of the data instead of returning
     * -1: corrupt JPEG 2000 codestreams otherwise make jj2000 loop forever on end-of-stream bytes
     * (found by the fuzz test).
     */
    static final class StrictByteStream extends javax.imageio.stream.ImageInputStreamImpl {
        private final byte[] data;
        /** A decoder re-reading its input without end is looping: stop it after this many bytes. */
        private final long budget;
        private long consumed;

        StrictByteStream(byte[] data) {
            this.data = data;
            this.budget = 16L * data.length + (1 << 20);
        }

        private void spend(long n) throws IOException {
            consumed += n;
            if (consumed > budget) {
                throw new IOException("the decoder read " + consumed + " bytes of a " + data.length + "-byte frame: corrupt codestream");
            }
        }

        @Override
        public int read() throws IOException {
            checkClosed();
            if (streamPos >= data.length) {
                throw new java.io.EOFException("compressed frame ends after " + data.length + " bytes");
            }
            bitOffset = 0;
            spend(1);
            return data[(int) streamPos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkClosed();
            if (len == 0) {
                return 0;
            }
            if (streamPos >= data.length) {
                throw new java.io.EOFException("compressed frame ends after " + data.length + " bytes");
            }
            bitOffset = 0;
            int n = (int) Math.min(len, data.length - streamPos);
            spend(n);
            System.arraycopy(data, (int) streamPos, b, off, n);
            streamPos += n;
            return n;
        }

        @Override
        public long length() {
            return data.length;
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
