package io.hounsfield.core.io.nifti;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.VolumeFormatException.Problem;
import io.hounsfield.core.io.VolumeSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads single-file NIfTI-1 volumes ({@code .nii}, and gzip-compressed {@code .nii.gz}, recognised by
 * content, not by name), 3-D, of datatype uint8, int8, int16, uint16, int32, float32 or float64, in
 * either byte order.
 *
 * <p>Geometry is converted from NIfTI's RAS to LPS; the sform is used when set, else the qform, as ITK
 * does ({@link NiftiHeader}). Spatial units of metres or microns are converted to mm. When
 * {@code scl_slope}/{@code scl_inter} scale the data, the scaled values are returned: as int16 or int32
 * when slope and intercept are whole numbers and the scaled range fits, else as float32 (from 8- and
 * 16-bit and float32 data) or float64 (from int32 and float64 data). int8 data are widened to int16.
 *
 * <p>A header can never make the reader allocate more than its file can hold: for a plain file the
 * announced data must fit in the file; for a gzip file it must fit in what deflate can expand the file
 * to (1032:1). Failures throw {@link VolumeFormatException} naming the file and leave nothing allocated.
 */
public final class NiftiReader implements VolumeSource {

    private static final Logger LOG = LoggerFactory.getLogger(NiftiReader.class);
    /** Deflate's largest expansion ratio (zlib technical details: 1032:1). */
    static final long MAX_DEFLATE_RATIO = 1032;
    private static final int CHUNK = 1 << 22;

    @Override
    public String formatName() {
        return NiftiFiles.FORMAT_NAME;
    }

    @Override
    public boolean handles(Path path) {
        return NiftiFiles.hasNiftiName(path);
    }

    @Override
    public Volume read(Path path, ProgressListener progress) throws IOException {
        long size = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, size, path.toString(), progress);
        }
    }

    /** Reads a whole NIfTI-1 file held in memory (e.g. a class-path resource). */
    public Volume read(byte[] file, String name) throws IOException {
        return read(new ByteArrayInputStream(file), file.length, name, ProgressListener.NONE);
    }

    /**
     * Reads from a stream of {@code sizeBytes} bytes (the file as stored, possibly gzip-compressed).
     *
     * @param name the file name used in messages
     */
    public Volume read(InputStream raw, long sizeBytes, String name, ProgressListener progress) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read(), b1 = buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        InputStream in;
        try {
            in = gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
        } catch (ZipException | EOFException e) {
            throw new VolumeFormatException(Problem.TRUNCATED, name, "corrupt gzip stream: " + e.getMessage(), e);
        }
        try {
            byte[] hdr = readFully(in, NiftiHeader.SIZE, name, "the 348-byte header");
            NiftiHeader h = NiftiHeader.parse(hdr, name);
            long need = h.voxOffset() + h.dataBytes();
            long canHold = gzip ? sizeBytes * MAX_DEFLATE_RATIO + 1024 : sizeBytes;
            if (need > canHold) {
                throw gzip
                        ? new VolumeFormatException(Problem.BAD_DIMENSIONS, name, "header announces " + h.extent() + " " + h.datatype().id()
                                + " voxels (" + h.dataBytes() + " bytes), more than a " + sizeBytes + "-byte gzip file can hold")
                        : new VolumeFormatException(Problem.TRUNCATED, name, "header announces " + h.extent() + " " + h.datatype().id()
                                + " voxels: " + need + " bytes with vox_offset " + h.voxOffset() + ", but the file has " + sizeBytes);
            }
            in.skipNBytes(h.voxOffset() - NiftiHeader.SIZE);
            LOG.debug("{}: {} {} {}, geometry from {}, byte order {}", name, h.extent(), h.datatype().id(),
                    h.scaled() ? "scaled " + h.sclSlope() + "·v + " + h.sclInter() : "unscaled", h.orientationSource(), h.order());
            return readVoxels(in, h, name, progress);
        } catch (EOFException e) {
            throw new VolumeFormatException(Problem.TRUNCATED, name, "file ends before the voxel data offset", e);
        } catch (ZipException e) {
            throw new VolumeFormatException(Problem.TRUNCATED, name, "corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    private static byte[] readFully(InputStream in, int n, String name, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new VolumeFormatException(Problem.TRUNCATED, name, "file ends after " + b.length + " bytes, inside " + what);
        }
        return b;
    }

    private static Volume readVoxels(InputStream in, NiftiHeader h, String name, ProgressListener progress) throws IOException {
        NiftiDatatype dt = h.datatype();
        VoxelType target = targetType(h);
        Volume out = Volume.allocate(h.geometry(), target);
        try {
            ValueLayout src = dt.layout.withOrder(h.order());
            boolean direct = !h.scaled() && dt.target == target && dt != NiftiDatatype.INT8
                    && (dt.bytes() == 1 || h.order() == ByteOrder.nativeOrder());
            int bpv = dt.bytes();
            long total = h.dataBytes();
            byte[] buf = new byte[(int) Math.min(total, CHUNK - CHUNK % 8)];
            MemorySegment heap = MemorySegment.ofArray(buf);
            String task = "read " + Path.of(name).getFileName();
            long done = 0;
            while (done < total) {
                int n = (int) Math.min(buf.length, total - done);
                int got = in.readNBytes(buf, 0, n);
                if (got < n) {
                    throw new VolumeFormatException(Problem.TRUNCATED, name, "voxel data ends after " + (done + got) + " of " + total
                            + " bytes (" + h.extent() + " " + dt.id() + ")");
                }
                if (direct) {
                    MemorySegment.copy(heap, 0, out.segment(), done, n);
                } else {
                    long first = done / bpv;
                    for (int k = 0, count = n / bpv; k < count; k++) {
                        out.set(first + k, h.sclSlope() * element(heap, src, (long) k * bpv, dt) + h.sclInter());
                    }
                }
                done += n;
                progress.update(task, done, total);
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    private static double element(MemorySegment s, ValueLayout layout, long offset, NiftiDatatype dt) {
        return switch (dt) {
            case UINT8 -> s.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
            case INT8 -> s.get(ValueLayout.JAVA_BYTE, offset);
            case INT16 -> s.get((ValueLayout.OfShort) layout, offset);
            case UINT16 -> s.get((ValueLayout.OfShort) layout, offset) & 0xFFFF;
            case INT32 -> s.get((ValueLayout.OfInt) layout, offset);
            case FLOAT32 -> s.get((ValueLayout.OfFloat) layout, offset);
            case FLOAT64 -> s.get((ValueLayout.OfDouble) layout, offset);
            default -> throw new IllegalStateException("unsupported " + dt);
        };
    }

    /** The volume type that holds the (scaled) values exactly, or as closely as float allows. */
    static VoxelType targetType(NiftiHeader h) {
        NiftiDatatype dt = h.datatype();
        if (!h.scaled()) {
            return dt.target;
        }
        double a = h.sclSlope(), b = h.sclInter();
        if (dt.target.isIntegral() && a == Math.rint(a) && b == Math.rint(b)) {
            double lo = dt == NiftiDatatype.INT8 ? -128 : dt.target.min(), hi = dt == NiftiDatatype.INT8 ? 127 : dt.target.max();
            double s1 = a * lo + b, s2 = a * hi + b, min = Math.min(s1, s2), max = Math.max(s1, s2);
            if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
                return VoxelType.INT16;
            }
            if (min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE) {
                return VoxelType.INT32;
            }
        }
        return dt == NiftiDatatype.INT32 || dt == NiftiDatatype.FLOAT64 ? VoxelType.FLOAT64 : VoxelType.FLOAT32;
    }
}
