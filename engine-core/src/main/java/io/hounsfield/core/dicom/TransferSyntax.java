package io.hounsfield.core.dicom;

import java.nio.ByteOrder;

/**
 * Transfer syntaxes (PS3.5 §10, PS3.6 Annex A). Each knows how its dataset is encoded and whether
 * Hounsfield can decode its pixel data; those it cannot say how to transcode them.
 */
public enum TransferSyntax {
    IMPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2", "Implicit VR Little Endian", false, true),
    EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, true),
    DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, true),
    EXPLICIT_VR_BIG_ENDIAN("1.2.840.10008.1.2.2", "Explicit VR Big Endian (retired)", true, true),
    JPEG_BASELINE("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", true, true),
    JPEG_EXTENDED("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", true, true),
    JPEG_LOSSLESS("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", true, true),
    JPEG_LOSSLESS_SV1("1.2.840.10008.1.2.4.70", "JPEG Lossless, Process 14, Selection Value 1", true, true),
    JPEG_LS_LOSSLESS("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", true, false),
    JPEG_LS_NEAR_LOSSLESS("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", true, false),
    JPEG_2000_LOSSLESS("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", true, true),
    JPEG_2000("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", true, true),
    HTJ2K_LOSSLESS("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", true, false),
    HTJ2K_LOSSLESS_RPCL("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)", true, false),
    HTJ2K("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", true, false),
    RLE_LOSSLESS("1.2.840.10008.1.2.5", "RLE Lossless", true, true);

    private final String uid;
    private final String title;
    private final boolean explicitVr;
    private final boolean decodable;

    TransferSyntax(String uid, String title, boolean explicitVr, boolean decodable) {
        this.uid = uid;
        this.title = title;
        this.explicitVr = explicitVr;
        this.decodable = decodable;
    }

    public String uid() {
        return uid;
    }

    public String title() {
        return title;
    }

    public boolean explicitVr() {
        return explicitVr;
    }

    public ByteOrder byteOrder() {
        return this == EXPLICIT_VR_BIG_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    public boolean deflated() {
        return this == DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN;
    }

    /** Pixel data in fragments (PS3.5 §A.4) rather than one native value. */
    public boolean encapsulated() {
        return switch (this) {
            case IMPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_LITTLE_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN -> false;
            default -> true;
        };
    }

    /** True if Hounsfield has a pixel decoder for this syntax. */
    public boolean decodable() {
        return decodable;
    }

    /** How to turn a file of this syntax into one Hounsfield reads. */
    public String transcodeHint() {
        return "transcode it to Explicit VR Little Endian first, e.g. `dcmdjpls in.dcm out.dcm` (dcmtk) "
                + "or `gdcmconv --raw in.dcm out.dcm` (GDCM)";
    }

    /** The syntax with this UID (trailing NUL/space padding ignored), or null if unknown. */
    public static TransferSyntax of(String uid) {
        String u = uid.strip();
        for (TransferSyntax t : values()) {
            if (t.uid.equals(u)) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return title + " (" + uid + ")";
    }
}
