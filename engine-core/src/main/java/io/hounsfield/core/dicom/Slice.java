package io.hounsfield.core.dicom;

import io.hounsfield.core.Vec3;
import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.util.List;
import java.util.Optional;

/**
 * One 2-D image of a stack: a single-frame file, or one frame of an enhanced multi-frame file, with
 * the attributes that place and scale it. For enhanced files each attribute is looked up in the
 * frame's per-frame functional groups, then the shared ones, then the top level (PS3.3 §C.7.6.16).
 *
 * @param rowDirection    unit vector along a row (increasing column index), LPS — first half of IOP
 * @param columnDirection unit vector down a column (increasing row index), LPS — second half of IOP
 * @param rowSpacing      mm between rows (PixelSpacing[0])
 * @param columnSpacing   mm between columns (PixelSpacing[1])
 */
public record Slice(DicomFile file, int frame, int rows, int columns, Vec3 position, Vec3 rowDirection, Vec3 columnDirection,
                    double rowSpacing, double columnSpacing, double slope, double intercept, double thickness,
                    int acquisitionNumber, int instanceNumber) {

    /** The unit normal row × column: the direction slices are stacked along. */
    public Vec3 normal() {
        Vec3 n = rowDirection.cross(columnDirection);
        return n.times(1 / n.norm());
    }

    /** All slices of a file: one per frame. */
    static List<Slice> of(DicomFile f) throws DicomException {
        Dataset ds = f.dataset();
        int frames = ds.integer(Tag.NUMBER_OF_FRAMES).orElse(1);
        List<Dataset> perFrame = ds.sequence(Tag.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
        Optional<Dataset> shared = ds.item(Tag.SHARED_FUNCTIONAL_GROUPS_SEQUENCE);
        if (!perFrame.isEmpty() && perFrame.size() != frames) {
            throw new DicomException(Problem.BAD_HEADER, f.name(), Tag.PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE, "has " + perFrame.size()
                    + " items for " + frames + " frames");
        }
        List<Slice> out = new java.util.ArrayList<>(frames);
        int rows = ds.requireInt(Tag.ROWS), cols = ds.requireInt(Tag.COLUMNS);
        for (int k = 0; k < frames; k++) {
            Optional<Dataset> pf = perFrame.isEmpty() ? Optional.empty() : Optional.of(perFrame.get(k));
            double[] ipp = lookup(ds, pf, shared, Tag.PLANE_POSITION_SEQUENCE, Tag.IMAGE_POSITION_PATIENT, 3);
            double[] iop = lookup(ds, pf, shared, Tag.PLANE_ORIENTATION_SEQUENCE, Tag.IMAGE_ORIENTATION_PATIENT, 6);
            double[] ps = lookup(ds, pf, shared, Tag.PIXEL_MEASURES_SEQUENCE, Tag.PIXEL_SPACING, 2);
            double[] slope = lookupOptional(ds, pf, shared, Tag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, Tag.RESCALE_SLOPE);
            double[] intercept = lookupOptional(ds, pf, shared, Tag.PIXEL_VALUE_TRANSFORMATION_SEQUENCE, Tag.RESCALE_INTERCEPT);
            double[] thick = lookupOptional(ds, pf, shared, Tag.PIXEL_MEASURES_SEQUENCE, Tag.SLICE_THICKNESS);
            Vec3 r = new Vec3(iop[0], iop[1], iop[2]), c = new Vec3(iop[3], iop[4], iop[5]);
            if (Math.abs(r.norm() - 1) > 1e-3 || Math.abs(c.norm() - 1) > 1e-3 || Math.abs(r.dot(c)) > 1e-3) {
                throw new DicomException(Problem.BAD_GEOMETRY, f.name(), Tag.IMAGE_ORIENTATION_PATIENT,
                        "row and column directions are not orthonormal: " + r + ", " + c);
            }
            if (!(ps[0] > 0 && ps[1] > 0)) {
                throw new DicomException(Problem.BAD_GEOMETRY, f.name(), Tag.PIXEL_SPACING, "must be > 0, got " + ps[0] + "\\" + ps[1]);
            }
            double a = slope.length > 0 ? slope[0] : 1, b = intercept.length > 0 ? intercept[0] : 0;
            if (a == 0) {
                throw new DicomException(Problem.BAD_HEADER, f.name(), Tag.RESCALE_SLOPE, "is 0");
            }
            out.add(new Slice(f, k, rows, cols, new Vec3(ipp[0], ipp[1], ipp[2]), r.times(1 / r.norm()), c.times(1 / c.norm()),
                    ps[0], ps[1], a, b, thick.length > 0 ? thick[0] : Double.NaN,
                    ds.integer(Tag.ACQUISITION_NUMBER).orElse(0), ds.integer(Tag.INSTANCE_NUMBER).orElse(0)));
        }
        return out;
    }

    private static double[] lookup(Dataset top, Optional<Dataset> perFrame, Optional<Dataset> shared, int macro, int tag, int n)
            throws DicomException {
        double[] v = lookupOptional(top, perFrame, shared, macro, tag);
        if (v.length == 0) {
            throw new DicomException(Problem.BAD_HEADER, top.source(), tag, "required attribute is missing (no volume geometry without it)");
        }
        if (v.length != n) {
            throw new DicomException(Problem.BAD_HEADER, top.source(), tag, "has " + v.length + " values, expected " + n);
        }
        return v;
    }

    private static double[] lookupOptional(Dataset top, Optional<Dataset> perFrame, Optional<Dataset> shared, int macro, int tag)
            throws DicomException {
        for (Optional<Dataset> group : List.of(perFrame, shared)) {
            if (group.isPresent()) {
                Optional<Dataset> m = group.get().item(macro);
                if (m.isPresent() && m.get().contains(tag)) {
                    return m.get().decimals(tag);
                }
            }
        }
        return top.decimals(tag);
    }
}
