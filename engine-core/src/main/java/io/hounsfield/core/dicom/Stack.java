package io.hounsfield.core.dicom;

import io.hounsfield.core.Vec3;

import java.util.List;

/**
 * Slices that belong in one volume: one series (or part of one, when orientation, size or acquisition
 * split it), sorted by the position of each slice along the slice normal — never by file name or
 * InstanceNumber.
 *
 * @param info   the series' attributes (from its first slice)
 * @param slices sorted along the normal, ascending
 * @param notes  how this stack came to be (splits), for reports
 */
public record Stack(SeriesInfo info, List<Slice> slices, List<String> notes) {

    public Stack {
        slices = List.copyOf(slices);
        notes = List.copyOf(notes);
    }

    public Slice first() {
        return slices.getFirst();
    }

    /** Position of slice {@code k} along the normal, mm. */
    public double along(int k) {
        return slices.get(k).position().dot(first().normal());
    }

    /** The transfer syntaxes of the stack's files. */
    public List<String> transferSyntaxes() {
        return slices.stream().map(s -> s.file().transferSyntax() == null ? s.file().transferSyntaxUid() : s.file().transferSyntax().title())
                .distinct().sorted().toList();
    }

    /** "512×512×120". */
    public String dimensions() {
        return first().columns() + "×" + first().rows() + "×" + slices.size();
    }

    Vec3 normal() {
        return first().normal();
    }
}
