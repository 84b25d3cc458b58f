package io.hounsfield.core.io.nifti;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The fields of a NIfTI-1 header that Hounsfield uses, parsed and checked. Offsets and semantics
 * follow nifti1.h (NIfTI Data Format Working Group, 2004).
 */
record NiftiHeader(ByteOrder order, Extent extent, NiftiDatatype datatype, long voxOffset,
                   double sclSlope, double sclInter, Geometry geometry, String orientationSource) {

    static final int SIZE = 348;
    static final int SIZE_NIFTI2 = 540;
    /** Header plus the 4-byte extension flag that precedes the data in a .nii file. */
    static final int MIN_VOX_OFFSET = 352;

    static NiftiHeader parse(byte[] raw, String src) throws VolumeFormatException {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        int size = b.getInt(0);
        if (size != SIZE) {
            b.order(ByteOrder.BIG_ENDIAN);
            size = b.getInt(0);
        }
        if (size == SIZE_NIFTI2 || Integer.reverseBytes(size) == SIZE_NIFTI2) {
            throw new VolumeFormatException(Problem.UNSUPPORTED_FEATURE, src, "NIfTI-2 (sizeof_hdr 540) is not supported yet; save it as NIfTI-1");
        }
        if (size != SIZE) {
            throw new VolumeFormatException(Problem.BAD_MAGIC, src, "not a NIfTI-1 file: sizeof_hdr at offset 0 is "
                    + b.order(ByteOrder.LITTLE_ENDIAN).getInt(0) + ", expected 348");
        }
        String magic = new String(raw, 344, 4, StandardCharsets.ISO_8859_1);
        if (magic.equals("ni1\0")) {
            throw new VolumeFormatException(Problem.UNSUPPORTED_FEATURE, src,
                    "two-file NIfTI (.hdr/.img, magic 'ni1') is not supported; save it as a single .nii file");
        }
        if (!magic.equals("n+1\0")) {
            throw new VolumeFormatException(Problem.BAD_MAGIC, src, "magic at offset 344 is '" + printable(magic)
                    + "', expected 'n+1' (an Analyze 7.5 file is not NIfTI-1)");
        }

        Extent extent = parseExtent(b, src);

        int code = b.getShort(70);
        NiftiDatatype dt = NiftiDatatype.ofCode(code);
        if (dt == null) {
            throw new VolumeFormatException(Problem.BAD_HEADER, src, "datatype " + code + " at offset 70 is not a NIfTI-1 type");
        }
        if (dt.target == null) {
            throw new VolumeFormatException(Problem.UNSUPPORTED_DATATYPE, src, "datatype " + dt.id() + " (code " + code
                    + ") is not supported; supported: uint8, int8, int16, uint16, int32, float32, float64");
        }
        int bitpix = b.getShort(72);
        if (bitpix != dt.bitpix) {
            throw new VolumeFormatException(Problem.BAD_HEADER, src, "bitpix " + bitpix + " does not match datatype " + dt.id()
                    + " (" + dt.bitpix + " bits)");
        }

        float vox = b.getFloat(108);
        if (!(vox >= MIN_VOX_OFFSET) || vox != Math.rint(vox) || vox > Integer.MAX_VALUE) {
            throw new VolumeFormatException(Problem.BAD_HEADER, src, "vox_offset " + vox + " is not a whole number >= 352");
        }

        double slope = b.getFloat(112), inter = b.getFloat(116);
        if (Double.isNaN(slope) || slope == 0) { // NIfTI: 0 means "no scaling"; nibabel treats NaN alike
            slope = 1;
            inter = 0;
        } else if (Double.isInfinite(slope) || !Double.isFinite(inter)) {
            throw new VolumeFormatException(Problem.BAD_HEADER, src, "scl_slope " + slope + " / scl_inter " + inter + " are not finite");
        }

        double unit = spatialUnitMm(b.get(123) & 0x07);
        int qformCode = b.getShort(252), sformCode = b.getShort(254);
        String[] how = new String[1];
        Geometry g = geometry(b, extent, qformCode, sformCode, unit, src, how);
        return new NiftiHeader(b.order(), extent, dt, (long) vox, slope, inter, g, how[0]);
    }

    private static Extent parseExtent(ByteBuffer b, String src) throws VolumeFormatException {
        int ndim = b.getShort(40);
        if (ndim < 1 || ndim > 7) {
            throw new VolumeFormatException(Problem.BAD_DIMENSIONS, src, "dim[0] = " + ndim + " at offset 40, expected 1..7");
        }
        int[] dim = new int[8];
        for (int i = 1; i <= 7; i++) {
            dim[i] = i <= ndim ? b.getShort(40 + 2 * i) : 1;
            if (dim[i] < 1) {
                throw new VolumeFormatException(Problem.BAD_DIMENSIONS, src, "dim[" + i + "] = " + dim[i] + ", expected >= 1");
            }
        }
        for (int i = 4; i <= 7; i++) {
            if (dim[i] > 1) {
                throw new VolumeFormatException(Problem.UNSUPPORTED_FEATURE, src, ndim + "-D image (dim[" + i + "] = " + dim[i]
                        + ") is not supported yet; only 3-D volumes are read");
            }
        }
        return new Extent(dim[1], dim[2], dim[3]);
    }

    /** Millimetres per unit of {@code xyzt_units & 7}; 0 (unknown) is taken as mm, as ITK does. */
    private static double spatialUnitMm(int code) {
        return switch (code) {
            case 1 -> 1000.0; // NIFTI_UNITS_METER
            case 3 -> 0.001;  // NIFTI_UNITS_MICRON
            default -> 1.0;   // NIFTI_UNITS_MM or unknown
        };
    }

    /**
     * The grid in LPS. Like ITK: the sform when sform_code > 0 and it has no shear, else the qform when
     * qform_code > 0, else NIfTI's "method 1" (diag(pixdim) in RAS, origin 0).
     */
    private static Geometry geometry(ByteBuffer b, Extent extent, int qformCode, int sformCode, double unit,
                                     String src, String[] how) throws VolumeFormatException {
        double[] m = null; // 3×4 RAS index-to-world, row-major
        if (sformCode > 0) {
            double[] s = new double[12];
            for (int i = 0; i < 12; i++) {
                s[i] = b.getFloat(280 + 4 * i);
            }
            if (hasOrthogonalColumns(s)) {
                m = s;
                how[0] = "sform (code " + sformCode + ")";
            } else if (qformCode <= 0) {
                throw new VolumeFormatException(Problem.BAD_GEOMETRY, src, "sform has shear or zero columns and there is no qform to fall back on");
            }
        }
        if (m == null && qformCode > 0) {
            m = qformMatrix(b, src);
            how[0] = sformCode > 0 ? "qform (code " + qformCode + "; sform has shear)" : "qform (code " + qformCode + ")";
        }
        if (m == null) {
            m = new double[12];
            for (int c = 0; c < 3; c++) {
                m[c * 4 + c] = pixdim(b, c + 1, src);
            }
            how[0] = "pixdim only (qform_code = sform_code = 0)";
        }
        for (int i = 0; i < 12; i++) {
            m[i] *= unit;
            if (!Double.isFinite(m[i])) {
                throw new VolumeFormatException(Problem.BAD_GEOMETRY, src, "non-finite value in the " + how[0] + " matrix");
            }
        }
        // RAS -> LPS: negate the x and y rows.
        for (int i = 0; i < 8; i++) {
            m[i] = -m[i];
        }
        double[] sp = new double[3];
        Vec3[] cols = new Vec3[3];
        for (int c = 0; c < 3; c++) {
            Vec3 col = new Vec3(m[c], m[4 + c], m[8 + c]);
            sp[c] = col.norm();
            if (!(sp[c] > 0)) {
                throw new VolumeFormatException(Problem.BAD_GEOMETRY, src, "zero spacing on axis " + c + " in the " + how[0]);
            }
            cols[c] = col.times(1 / sp[c]);
        }
        try {
            return new Geometry(extent, new Vec3(sp[0], sp[1], sp[2]), new Vec3(m[3], m[7], m[11]),
                    Mat3.fromColumns(cols[0], cols[1], cols[2]));
        } catch (IllegalArgumentException e) {
            throw new VolumeFormatException(Problem.BAD_GEOMETRY, src, e.getMessage() + " (from the " + how[0] + ")", e);
        }
    }

    private static boolean hasOrthogonalColumns(double[] s) {
        Vec3[] c = new Vec3[3];
        for (int i = 0; i < 3; i++) {
            c[i] = new Vec3(s[i], s[4 + i], s[8 + i]);
            if (!(c[i].norm() > 0)) {
                return false;
            }
            c[i] = c[i].times(1 / c[i].norm());
        }
        return Mat3.fromColumns(c[0], c[1], c[2]).isOrthonormal(Geometry.DIRECTION_TOLERANCE);
    }

    /** nifti1.h "method 2": rotation from the quaternion (b, c, d), scaled by pixdim, z flipped when qfac < 0. */
    private static double[] qformMatrix(ByteBuffer b, String src) throws VolumeFormatException {
        double qb = b.getFloat(256), qc = b.getFloat(260), qd = b.getFloat(264);
        double qa = 1.0 - (qb * qb + qc * qc + qd * qd);
        if (qa < 1e-7) { // 180° rotation: renormalise (b, c, d), as nifti1_io does
            double n = Math.sqrt(qb * qb + qc * qc + qd * qd);
            qb /= n;
            qc /= n;
            qd /= n;
            qa = 0;
        } else {
            qa = Math.sqrt(qa);
        }
        double qfac = b.getFloat(76) < 0 ? -1 : 1;
        double dx = pixdim(b, 1, src), dy = pixdim(b, 2, src), dz = pixdim(b, 3, src) * qfac;
        double[] r = {
            qa * qa + qb * qb - qc * qc - qd * qd, 2 * (qb * qc - qa * qd), 2 * (qb * qd + qa * qc),
            2 * (qb * qc + qa * qd), qa * qa + qc * qc - qb * qb - qd * qd, 2 * (qc * qd - qa * qb),
            2 * (qb * qd - qa * qc), 2 * (qc * qd + qa * qb), qa * qa + qd * qd - qc * qc - qb * qb};
        double[] m = new double[12];
        double[] d = {dx, dy, dz};
        for (int row = 0; row < 3; row++) {
            for (int c = 0; c < 3; c++) {
                m[row * 4 + c] = r[row * 3 + c] * d[c];
            }
            m[row * 4 + 3] = b.getFloat(268 + 4 * row);
        }
        return m;
    }

    private static double pixdim(ByteBuffer b, int i, String src) throws VolumeFormatException {
        double v = b.getFloat(76 + 4 * i);
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new VolumeFormatException(Problem.BAD_GEOMETRY, src, "pixdim[" + i + "] = " + v + " is not a positive spacing");
        }
        return v;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            sb.append(ch >= 32 && ch < 127 ? String.valueOf(ch) : String.format("\\x%02x", (int) ch));
        }
        return sb.toString();
    }

    long dataBytes() {
        return extent.voxelCount() * datatype.bytes();
    }

    boolean scaled() {
        return sclSlope != 1 || sclInter != 0;
    }
}
