package io.hounsfield.core;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.Optional;

/**
 * A label map on a volume's grid: one uint8 per voxel, 0 = background, 1–255 = labels (regions of
 * interest). Owns its storage like a {@link Volume}; close it when done.
 */
public final class Mask implements AutoCloseable {

    private final Volume labels;

    private Mask(Volume labels) {
        this.labels = labels;
    }

    /** An all-background mask on {@code geometry}. */
    public static Mask allocate(Geometry geometry) {
        return new Mask(Volume.allocate(geometry, VoxelType.UINT8));
    }

    /**
     * Takes ownership of a uint8 volume as a label map.
     *
     * @throws IllegalArgumentException if {@code labels} is not uint8
     */
    public static Mask wrap(Volume labels) {
        if (labels.type() != VoxelType.UINT8) {
            throw new IllegalArgumentException("a mask is uint8; got " + labels.type().id() + " (use Mask.fromLabels to convert)");
        }
        return new Mask(labels);
    }

    /**
     * A new mask holding the values of any volume whose voxels are whole numbers in 0..255 (masks are
     * often stored as int16 or float). The source stays open and owned by the caller.
     *
     * @throws IllegalArgumentException naming the first voxel whose value is not a label
     */
    public static Mask fromLabels(Volume source) {
        Mask m = allocate(source.geometry());
        try {
            long n = source.voxelCount();
            for (long i = 0; i < n; i++) {
                double v = source.get(i);
                if (!(v >= 0 && v <= 255 && v == Math.rint(v))) {
                    throw new IllegalArgumentException("voxel " + i + " of the mask holds " + v + ", not a label in 0..255");
                }
                m.labels.segment().set(ValueLayout.JAVA_BYTE, i, (byte) (int) v);
            }
            return m;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public Geometry geometry() {
        return labels.geometry();
    }

    /** The labels as a uint8 volume (the same storage; closing the mask closes it). */
    public Volume asVolume() {
        return labels;
    }

    public int label(long i) {
        return labels.segment().get(ValueLayout.JAVA_BYTE, i) & 0xFF;
    }

    public int label(int x, int y, int z) {
        return (int) labels.get(x, y, z);
    }

    public void set(long i, int label) {
        checkLabel(label);
        labels.segment().set(ValueLayout.JAVA_BYTE, i, (byte) label);
    }

    public void set(int x, int y, int z, int label) {
        checkLabel(label);
        labels.set(x, y, z, label);
    }

    private static void checkLabel(int label) {
        if (label < 0 || label > 255) {
            throw new IllegalArgumentException("label " + label + " is outside 0..255");
        }
    }

    /** Number of voxels carrying {@code label}. */
    public long count(int label) {
        checkLabel(label);
        MemorySegment s = labels.segment();
        long n = labels.voxelCount(), c = 0;
        byte b = (byte) label;
        for (long i = 0; i < n; i++) {
            if (s.get(ValueLayout.JAVA_BYTE, i) == b) {
                c++;
            }
        }
        return c;
    }

    /** Voxel counts of every label 0..255 (index = label). */
    public long[] histogram() {
        long[] h = new long[256];
        MemorySegment s = labels.segment();
        long n = labels.voxelCount();
        for (long i = 0; i < n; i++) {
            h[s.get(ValueLayout.JAVA_BYTE, i) & 0xFF]++;
        }
        return h;
    }

    /**
     * The smallest box holding every voxel of {@code label}, or empty if the label is absent. Runs of
     * eight voxels without the label are skipped a word at a time, so the scan reads words, not bytes.
     */
    public Optional<IndexBox> boundingBox(int label) {
        return boundingBox(label, 0, geometry().extent().nz());
    }

    /**
     * As {@link #boundingBox(int)}, over slices {@code [zFrom, zTo)} only (for scans cut into slabs).
     *
     * @throws IllegalArgumentException if the slices are not within the grid
     */
    public Optional<IndexBox> boundingBox(int label, int zFrom, int zTo) {
        checkLabel(label);
        Extent e = geometry().extent();
        if (zFrom < 0 || zTo > e.nz() || zFrom > zTo) {
            throw new IllegalArgumentException("slices " + zFrom + ".." + zTo + " are not within 0.." + e.nz());
        }
        MemorySegment s = labels.segment();
        byte b = (byte) label;
        long pattern = (label & 0xFFL) * 0x0101010101010101L;
        int x0 = Integer.MAX_VALUE, y0 = Integer.MAX_VALUE, z0 = Integer.MAX_VALUE, x1 = -1, y1 = -1, z1 = -1;
        int nx = e.nx();
        for (int z = zFrom; z < zTo; z++) {
            for (int y = 0; y < e.ny(); y++) {
                long row = e.index(0, y, z);
                int x = 0;
                while (x < nx) {
                    // Eight labels at a time: skip them when no byte equals the label (SWAR zero-byte test).
                    if (x + 8 <= nx) {
                        long w = s.get(ValueLayout.JAVA_LONG_UNALIGNED, row + x) ^ pattern;
                        if (((w - 0x0101010101010101L) & ~w & 0x8080808080808080L) == 0) {
                            x += 8;
                            continue;
                        }
                    }
                    if (s.get(ValueLayout.JAVA_BYTE, row + x) == b) {
                        x0 = Math.min(x0, x);
                        x1 = Math.max(x1, x);
                        y0 = Math.min(y0, y);
                        y1 = Math.max(y1, y);
                        z0 = Math.min(z0, z);
                        z1 = Math.max(z1, z);
                    }
                    x++;
                }
            }
        }
        return x1 < 0 ? Optional.empty() : Optional.of(new IndexBox(x0, y0, z0, x1 + 1, y1 + 1, z1 + 1));
    }

    /**
     * One byte per voxel of {@code box} grown by {@code pad} voxels on every side, x fastest: 1 where this mask
     * holds {@code label} inside {@code box}, 0 elsewhere (the ring is 0: {@code box} is meant to hold every voxel
     * of the label). An ROI's indicator ({@code pad} 0), or the padded occupancy the marching cubes read (1).
     */
    public byte[] indicator(int label, IndexBox box, int pad) {
        Extent e = geometry().extent();
        int bx = box.x1() - box.x0(), by = box.y1() - box.y0(), bz = box.z1() - box.z0();
        int px = bx + 2 * pad, py = by + 2 * pad, pz = bz + 2 * pad;
        byte[] out = new byte[Math.toIntExact((long) px * py * pz)];
        MemorySegment s = labels.segment();
        byte want = (byte) label;
        for (int z = 0; z < bz; z++) {
            for (int y = 0; y < by; y++) {
                long row = e.index(box.x0(), box.y0() + y, box.z0() + z);
                int at = ((z + pad) * py + (y + pad)) * px + pad;
                for (int x = 0; x < bx; x++) {
                    out[at + x] = (byte) (s.get(ValueLayout.JAVA_BYTE, row + x) == want ? 1 : 0);
                }
            }
        }
        return out;
    }

    /** A copy of the sub-block {@code box}. */
    public Mask crop(IndexBox box) {
        return new Mask(labels.crop(box));
    }

    /**
     * Crops {@code image} and this mask to the bounding box of {@code label} grown by {@code marginVoxels}
     * on each side (clipped to the grid). Both results are new, caller-owned copies.
     *
     * @throws IllegalArgumentException if the image is not on this mask's grid or the label is absent
     */
    public Cropped cropToLabel(Volume image, int label, int marginVoxels) {
        Objects.requireNonNull(image, "image");
        if (!image.geometry().sameGrid(geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.geometry() + " and mask " + geometry() + " are not on the same grid");
        }
        IndexBox box = boundingBox(label)
                .orElseThrow(() -> new IllegalArgumentException("label " + label + " is absent from the mask"))
                .expand(marginVoxels, geometry().extent());
        Volume v = image.crop(box);
        try {
            return new Cropped(v, crop(box), box);
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** An image and mask cropped together from a larger grid; {@code box} is where they came from. */
    public record Cropped(Volume image, Mask mask, IndexBox box) implements AutoCloseable {
        @Override
        public void close() {
            try (mask) {
                image.close();
            }
        }
    }

    public boolean isOpen() {
        return labels.isOpen();
    }

    @Override
    public void close() {
        labels.close();
    }

    @Override
    public String toString() {
        return "Mask[" + geometry().extent() + "]";
    }
}
