package io.hounsfield.core.io.nifti;

import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.io.VolumeSink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes single-file NIfTI-1 volumes, little endian, gzip-compressed when the name ends in
 * {@code .nii.gz}. Geometry goes into both the sform and the qform (codes 1, scanner-anatomical),
 * converted from LPS to RAS; units are mm; no scaling ({@code scl_slope} 1). The file appears
 * atomically: it is written beside the target under a temporary name and moved into place.
 */
public final class NiftiWriter implements VolumeSink {

    private static final int CHUNK = 1 << 22;
    private final int gzipLevel;

    /** A writer that compresses with deflate level 1 (fast; what a volume pipeline wants). */
    public NiftiWriter() {
        this(Deflater.BEST_SPEED);
    }

    /** @param gzipLevel deflate level 0–9 for {@code .nii.gz} targets */
    public NiftiWriter(int gzipLevel) {
        if (gzipLevel < 0 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzip level must be 0..9, got " + gzipLevel);
        }
        this.gzipLevel = gzipLevel;
    }

    @Override
    public String formatName() {
        return NiftiFiles.FORMAT_NAME;
    }

    @Override
    public boolean handles(Path path) {
        return NiftiFiles.hasNiftiName(path);
    }

    @Override
    public void write(Volume volume, Path path, ProgressListener progress) throws IOException {
        Path target = path.toAbsolutePath();
        boolean gzip = target.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        try {
            try (OutputStream file = Files.newOutputStream(tmp);
                 OutputStream out = gzip ? new LevelledGzip(file, gzipLevel) : new BufferedOutputStream(file, 1 << 16)) {
                out.write(header(volume));
                writeVoxels(volume, out, "write " + target.getFileName(), progress);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, 1 << 16);
            def.setLevel(level);
        }
    }

    /** The 348-byte header plus the 4-byte (empty) extension flag. */
    static byte[] header(Volume v) {
        Geometry g = v.geometry();
        NiftiDatatype dt = NiftiDatatype.of(v.type());
        ByteBuffer b = ByteBuffer.allocate(NiftiHeader.MIN_VOX_OFFSET).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, NiftiHeader.SIZE);
        b.put(39, (byte) 0); // dim_info
        short[] dim = {3, (short) g.extent().nx(), (short) g.extent().ny(), (short) g.extent().nz(), 1, 1, 1, 1};
        for (int i = 0; i < 3; i++) {
            if (g.extent().get(i) > Short.MAX_VALUE) {
                throw new IllegalArgumentException("NIfTI-1 holds at most 32767 voxels per axis; axis " + i + " has " + g.extent().get(i));
            }
        }
        for (int i = 0; i < 8; i++) {
            b.putShort(40 + 2 * i, dim[i]);
        }
        b.putShort(70, (short) dt.code);
        b.putShort(72, (short) dt.bitpix);

        // LPS -> RAS: negate the x and y rows of the direction and origin.
        Mat3 d = g.direction();
        Mat3 ras = new Mat3(-d.m00(), -d.m01(), -d.m02(), -d.m10(), -d.m11(), -d.m12(), d.m20(), d.m21(), d.m22());
        double qfac = ras.determinant() < 0 ? -1 : 1;
        Mat3 rot = qfac < 0 ? new Mat3(ras.m00(), ras.m01(), -ras.m02(), ras.m10(), ras.m11(), -ras.m12(), ras.m20(), ras.m21(), -ras.m22()) : ras;
        double[] q = quaternion(rot);

        b.putFloat(76, (float) qfac);
        b.putFloat(80, (float) g.spacing().x());
        b.putFloat(84, (float) g.spacing().y());
        b.putFloat(88, (float) g.spacing().z());
        b.putFloat(92, 1f);
        b.putFloat(108, NiftiHeader.MIN_VOX_OFFSET);
        b.putFloat(112, 1f); // scl_slope
        b.putFloat(116, 0f); // scl_inter
        b.put(123, (byte) 2); // xyzt_units: NIFTI_UNITS_MM
        byte[] descrip = "Hounsfield".getBytes(StandardCharsets.US_ASCII);
        b.put(148, descrip);
        b.putShort(252, (short) 1); // qform_code: NIFTI_XFORM_SCANNER_ANAT
        b.putShort(254, (short) 1); // sform_code
        b.putFloat(256, (float) q[1]);
        b.putFloat(260, (float) q[2]);
        b.putFloat(264, (float) q[3]);
        double[] origin = {-g.origin().x(), -g.origin().y(), g.origin().z()};
        for (int r = 0; r < 3; r++) {
            b.putFloat(268 + 4 * r, (float) origin[r]);
            for (int c = 0; c < 3; c++) {
                b.putFloat(280 + 16 * r + 4 * c, (float) (ras.get(r, c) * g.spacing().get(c)));
            }
            b.putFloat(280 + 16 * r + 12, (float) origin[r]);
        }
        b.put(344, "n+1\0".getBytes(StandardCharsets.US_ASCII));
        return b.array(); // bytes 348..351 (extension flag) stay 0
    }

    /** (a, b, c, d) of a proper rotation, a >= 0; nifti1_io's nifti_mat44_to_quatern. */
    static double[] quaternion(Mat3 r) {
        double a = r.m00() + r.m11() + r.m22() + 1, b, c, d;
        if (a > 0.5) {
            a = 0.5 * Math.sqrt(a);
            b = 0.25 * (r.m21() - r.m12()) / a;
            c = 0.25 * (r.m02() - r.m20()) / a;
            d = 0.25 * (r.m10() - r.m01()) / a;
        } else {
            double xd = 1 + r.m00() - (r.m11() + r.m22());
            double yd = 1 + r.m11() - (r.m00() + r.m22());
            double zd = 1 + r.m22() - (r.m00() + r.m11());
            if (xd > 1) {
                b = 0.5 * Math.sqrt(xd);
                c = 0.25 * (r.m01() + r.m10()) / b;
                d = 0.25 * (r.m02() + r.m20()) / b;
                a = 0.25 * (r.m21() - r.m12()) / b;
            } else if (yd > 1) {
                c = 0.5 * Math.sqrt(yd);
                b = 0.25 * (r.m01() + r.m10()) / c;
                d = 0.25 * (r.m12() + r.m21()) / c;
                a = 0.25 * (r.m02() - r.m20()) / c;
            } else {
                d = 0.5 * Math.sqrt(zd);
                b = 0.25 * (r.m02() + r.m20()) / d;
                c = 0.25 * (r.m12() + r.m21()) / d;
                a = 0.25 * (r.m10() - r.m01()) / d;
            }
            if (a < 0) {
                a = -a;
                b = -b;
                c = -c;
                d = -d;
            }
        }
        return new double[] {a, b, c, d};
    }

    private static void writeVoxels(Volume v, OutputStream out, String task, ProgressListener progress) throws IOException {
        MemorySegment data = v.segment();
        long total = data.byteSize();
        int bpv = v.type().bytes();
        byte[] buf = new byte[(int) Math.min(Math.max(total, 1), CHUNK)];
        MemorySegment heap = MemorySegment.ofArray(buf);
        ValueLayout le = v.type().layout().withOrder(ByteOrder.LITTLE_ENDIAN);
        boolean direct = bpv == 1 || ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        long done = 0;
        while (done < total) {
            int n = (int) Math.min(buf.length, total - done);
            if (direct) {
                MemorySegment.copy(data, done, heap, 0, n);
            } else {
                MemorySegment.copy(data, v.type().layout(), done, heap, le, 0, n / bpv);
            }
            out.write(buf, 0, n);
            done += n;
            progress.update(task, done, total);
        }
    }
}
