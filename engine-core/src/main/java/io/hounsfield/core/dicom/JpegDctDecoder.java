package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException.Problem;

/**
 * Sequential DCT JPEG with Huffman coding — baseline (SOF0) and extended (SOF1), 8- or 12-bit samples,
 * one component — per ITU-T T.81 (Annexes A, B, F). Java's ImageIO decoder is 8-bit only, so 12-bit
 * DICOM JPEG Extended (process 4) frames come here. The inverse DCT is computed in double precision;
 * results can differ from libjpeg's integer IDCT by one grey level (lossy decoders are not bit-exact).
 * Every index into the data is checked: corrupt input raises a {@link DicomException}, never anything else.
 */
final class JpegDctDecoder {

    private static final int[] ZIGZAG = {
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21,
        28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61,
        54, 47, 55, 62, 63};
    /** cos((2x+1)uπ/16) · C(u)/2, indexed [x][u]. */
    private static final double[][] IDCT = new double[8][8];

    static {
        for (int x = 0; x < 8; x++) {
            for (int u = 0; u < 8; u++) {
                IDCT[x][u] = (u == 0 ? Math.sqrt(0.5) : 1.0) * Math.cos((2 * x + 1) * u * Math.PI / 16) / 2;
            }
        }
    }

    private final byte[] d;
    private final String src;
    private int pos;
    private final int[][] quant = new int[4][];
    private final Huffman[][] huff = new Huffman[2][4];
    private int precision, width, height, quantId, restartInterval;

    private JpegDctDecoder(byte[] data, String src) {
        this.d = data;
        this.src = src;
    }

    /** Decodes a single-component frame to its samples (0 .. 2^P − 1), row by row. */
    static int[] decode(byte[] jpeg, String src) throws DicomException {
        return new JpegDctDecoder(jpeg, src).run();
    }

    private DicomException bad(String what) {
        return new DicomException(Problem.BAD_HEADER, src, Tag.PIXEL_DATA, "JPEG: " + what);
    }

    private int u8() throws DicomException {
        if (pos >= d.length) {
            throw new DicomException(Problem.TRUNCATED, src, Tag.PIXEL_DATA, "JPEG: data ends inside a marker segment");
        }
        return d[pos++] & 0xFF;
    }

    private int u16() throws DicomException {
        return u8() << 8 | u8();
    }

    private int[] run() throws DicomException {
        if (u8() != 0xFF || u8() != 0xD8) {
            throw bad("no SOI marker");
        }
        boolean frame = false;
        while (true) {
            int ff = u8();
            if (ff != 0xFF) {
                throw bad("expected a marker at byte " + (pos - 1));
            }
            int m = u8();
            while (m == 0xFF) { // fill bytes
                m = u8();
            }
            if (m == 0xD9) {
                throw bad("EOI before any scan");
            }
            int len = u16();
            int end = pos + len - 2;
            if (len < 2 || end > d.length) {
                throw new DicomException(Problem.TRUNCATED, src, Tag.PIXEL_DATA, "JPEG: marker segment runs past the data");
            }
            switch (m) {
                case 0xDB -> readQuant(end);
                case 0xC4 -> readHuffman(end);
                case 0xC0, 0xC1 -> {
                    readFrame();
                    frame = true;
                }
                case 0xDD -> restartInterval = u16();
                case 0xDA -> {
                    if (!frame) {
                        throw bad("scan before frame header");
                    }
                    return readScan(end);
                }
                default -> {
                    if (m >= 0xC2 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                        throw new DicomException(Problem.UNSUPPORTED_FEATURE, src, Tag.PIXEL_DATA,
                                String.format("JPEG SOF%d (progressive, hierarchical or arithmetic) is not supported", m - 0xC0));
                    }
                }
            }
            pos = end;
        }
    }

    private void readQuant(int end) throws DicomException {
        while (pos < end) {
            int pq = u8();
            int id = pq & 15, wide = pq >> 4;
            if (id > 3 || wide > 1) {
                throw bad("bad DQT table " + pq);
            }
            int[] q = new int[64];
            for (int i = 0; i < 64; i++) {
                q[i] = wide == 1 ? u16() : u8();
            }
            quant[id] = q;
        }
    }

    private void readHuffman(int end) throws DicomException {
        while (pos < end) {
            int tc = u8();
            int cls = tc >> 4, id = tc & 15;
            if (cls > 1 || id > 3) {
                throw bad("bad DHT table " + tc);
            }
            int[] counts = new int[17];
            int total = 0;
            for (int i = 1; i <= 16; i++) {
                counts[i] = u8();
                total += counts[i];
            }
            if (total > 256) {
                throw bad("DHT lists " + total + " codes");
            }
            int[] symbols = new int[total];
            for (int i = 0; i < total; i++) {
                symbols[i] = u8();
            }
            huff[cls][id] = new Huffman(counts, symbols);
        }
    }

    private void readFrame() throws DicomException {
        precision = u8();
        height = u16();
        width = u16();
        int nf = u8();
        if (precision != 8 && precision != 12) {
            throw bad("sample precision " + precision);
        }
        if (nf != 1) {
            throw new DicomException(Problem.UNSUPPORTED_DATATYPE, src, Tag.PIXEL_DATA, "JPEG frame has " + nf + " components; greyscale only");
        }
        if (width < 1 || height < 1 || (long) width * height > 1 << 28) {
            throw bad("frame size " + width + "×" + height);
        }
        u8(); // component id
        u8(); // sampling factors: irrelevant for one component
        quantId = u8();
        if (quantId > 3) {
            throw bad("quantisation table " + quantId);
        }
    }

    private int[] readScan(int end) throws DicomException {
        int ns = u8();
        if (ns != 1) {
            throw bad("scan has " + ns + " components");
        }
        u8();
        int tables = u8();
        Huffman dc = huff[0][tables >> 4 & 3], ac = huff[1][tables & 3];
        int[] q = quant[quantId];
        if (dc == null || ac == null || q == null) {
            throw bad("scan refers to a missing Huffman or quantisation table");
        }
        pos = end; // Ss, Se, Ah/Al: fixed for sequential DCT
        int bw = (width + 7) / 8, bh = (height + 7) / 8;
        int[] out = new int[width * height];
        Bits bits = new Bits();
        double[] coef = new double[64];
        double[] tmp = new double[64];
        int pred = 0, shift = 1 << (precision - 1), max = (1 << precision) - 1;
        int mcus = 0;
        for (int by = 0; by < bh; by++) {
            for (int bx = 0; bx < bw; bx++) {
                if (restartInterval > 0 && mcus > 0 && mcus % restartInterval == 0) {
                    bits.restart();
                    pred = 0;
                }
                mcus++;
                java.util.Arrays.fill(coef, 0);
                int t = dc.decode(bits);
                if (t > 16) {
                    throw bad("DC magnitude category " + t);
                }
                pred += extend(bits.receive(t), t);
                coef[0] = (double) pred * q[0];
                for (int k = 1; k < 64; ) {
                    int rs = ac.decode(bits);
                    int r = rs >> 4, s = rs & 15;
                    if (s == 0) {
                        if (r != 15) {
                            break;
                        }
                        k += 16;
                        continue;
                    }
                    k += r;
                    if (k > 63) {
                        throw bad("AC coefficient index past 63");
                    }
                    coef[ZIGZAG[k]] = (double) extend(bits.receive(s), s) * q[k];
                    k++;
                }
                idct(coef, tmp);
                for (int y = 0; y < 8; y++) {
                    int py = by * 8 + y;
                    if (py >= height) {
                        break;
                    }
                    for (int x = 0; x < 8; x++) {
                        int px = bx * 8 + x;
                        if (px < width) {
                            int v = (int) Math.round(tmp[y * 8 + x]) + shift;
                            out[py * width + px] = v < 0 ? 0 : Math.min(v, max);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** out[y*8+x] = Σu Σv C(u)C(v)/4 · F[v*8+u] cos(...x...u) cos(...y...v). */
    private static void idct(double[] f, double[] out) {
        double[] rows = new double[64];
        for (int v = 0; v < 8; v++) { // 1-D IDCT along u for each row v of coefficients
            for (int x = 0; x < 8; x++) {
                double s = 0;
                for (int u = 0; u < 8; u++) {
                    s += IDCT[x][u] * f[v * 8 + u];
                }
                rows[v * 8 + x] = s;
            }
        }
        for (int x = 0; x < 8; x++) {
            for (int y = 0; y < 8; y++) {
                double s = 0;
                for (int v = 0; v < 8; v++) {
                    s += IDCT[y][v] * rows[v * 8 + x];
                }
                out[y * 8 + x] = s;
            }
        }
    }

    private static int extend(int v, int t) {
        return t == 0 ? 0 : (v < 1 << (t - 1) ? v - (1 << t) + 1 : v);
    }

    /** Entropy-coded bits, with 0xFF00 unstuffed; at a marker the stream yields zeros (T.81 F.2.2.5). */
    private final class Bits {
        private int buf, count;
        private boolean marker;

        int bit() throws DicomException {
            if (count == 0) {
                fill();
            }
            count--;
            return buf >> count & 1;
        }

        private void fill() throws DicomException {
            if (marker || pos >= d.length) {
                if (pos >= d.length && !marker) {
                    marker = true; // truncated: zeros, as libjpeg does, then the bounds below stop runaway loops
                }
                buf = 0;
                count = 8;
                return;
            }
            int b = d[pos] & 0xFF;
            if (b == 0xFF) {
                int next = pos + 1 < d.length ? d[pos + 1] & 0xFF : -1;
                if (next == 0) {
                    pos += 2;
                } else {
                    marker = true;
                    buf = 0;
                    count = 8;
                    return;
                }
            } else {
                pos++;
            }
            buf = b;
            count = 8;
        }

        int receive(int n) throws DicomException {
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = v << 1 | bit();
            }
            return v;
        }

        /** Skips to and past the next RSTn marker. */
        void restart() throws DicomException {
            count = 0;
            marker = false;
            while (pos + 1 < d.length && !((d[pos] & 0xFF) == 0xFF && (d[pos + 1] & 0xFF) >= 0xD0 && (d[pos + 1] & 0xFF) <= 0xD7)) {
                pos++;
            }
            if (pos + 1 >= d.length) {
                throw new DicomException(Problem.TRUNCATED, src, Tag.PIXEL_DATA, "JPEG: restart marker missing");
            }
            pos += 2;
        }
    }

    /** Canonical Huffman decoding with MAXCODE / VALPTR / MINCODE (T.81 F.2.2.3). */
    private final class Huffman {
        private final int[] maxcode = new int[18], valptr = new int[17], mincode = new int[17];
        private final int[] symbols;

        Huffman(int[] counts, int[] symbols) throws DicomException {
            this.symbols = symbols;
            int code = 0, k = 0;
            for (int l = 1; l <= 16; l++) {
                valptr[l] = k;
                mincode[l] = code;
                code += counts[l];
                k += counts[l];
                maxcode[l] = counts[l] == 0 ? -1 : code - 1;
                if (code > 1 << l) {
                    throw bad("Huffman table over-subscribed at length " + l);
                }
                code <<= 1;
            }
            maxcode[17] = Integer.MAX_VALUE;
        }

        int decode(Bits b) throws DicomException {
            int code = b.bit();
            for (int l = 1; l <= 16; l++) {
                if (code <= maxcode[l]) {
                    int i = valptr[l] + code - mincode[l];
                    if (i < 0 || i >= symbols.length) {
                        throw bad("Huffman code outside its table");
                    }
                    return symbols[i];
                }
                code = code << 1 | b.bit();
            }
            throw bad("invalid Huffman code");
        }
    }
}
