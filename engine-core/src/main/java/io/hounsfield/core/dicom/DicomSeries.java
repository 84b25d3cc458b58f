package io.hounsfield.core.dicom;

import io.hounsfield.core.Vec3;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups image files into stacks: by SeriesInstanceUID, then split where orientation, matrix size or
 * pixel spacing differ, and where repeated acquisitions put two slices at one position. Every split is
 * noted in the stack it produced.
 */
public final class DicomSeries {

    private DicomSeries() {
    }

    /** Stacks of the given image files, in the order their series first appear. */
    public static List<Stack> stacks(List<DicomFile> images) throws DicomException {
        Map<String, List<Slice>> bySeries = new LinkedHashMap<>();
        for (DicomFile f : images) {
            String uid = f.dataset().string(Tag.SERIES_INSTANCE_UID).orElse("(no SeriesInstanceUID)");
            bySeries.computeIfAbsent(uid, k -> new ArrayList<>()).addAll(Slice.of(f));
        }
        List<Stack> out = new ArrayList<>();
        for (var series : bySeries.entrySet()) {
            Map<String, List<Slice>> byShape = new LinkedHashMap<>();
            for (Slice s : series.getValue()) {
                byShape.computeIfAbsent(shapeKey(s), k -> new ArrayList<>()).add(s);
            }
            List<String> notes = new ArrayList<>();
            if (byShape.size() > 1) {
                notes.add("series " + series.getKey() + " split into " + byShape.size() + " stacks by orientation, matrix size or pixel spacing: "
                        + String.join("; ", byShape.keySet()));
            }
            for (var shape : byShape.entrySet()) {
                for (List<Slice> part : splitAcquisitions(shape.getValue(), notes)) {
                    part.sort(Comparator.comparingDouble((Slice s) -> s.position().dot(part.getFirst().normal()))
                            .thenComparingInt(Slice::instanceNumber));
                    Slice first = part.getFirst();
                    out.add(new Stack(SeriesInfo.of(first.file().dataset(), first.thickness()), part, notes));
                }
            }
        }
        return out;
    }

    private static String shapeKey(Slice s) {
        Vec3 r = s.rowDirection(), c = s.columnDirection();
        return String.format(Locale.ROOT, "IOP %.3f\\%.3f\\%.3f\\%.3f\\%.3f\\%.3f, %d×%d, spacing %.4f\\%.4f",
                r.x(), r.y(), r.z(), c.x(), c.y(), c.z(), s.columns(), s.rows(), s.rowSpacing(), s.columnSpacing());
    }

    /**
     * Repeated acquisitions of the same positions share a series on some scanners; split by
     * AcquisitionNumber only when that removes every duplicate position (some scanners number each
     * slice's acquisition, and those stacks must stay whole).
     */
    private static List<List<Slice>> splitAcquisitions(List<Slice> slices, List<String> notes) {
        if (!hasDuplicatePositions(slices)) {
            return List.of(new ArrayList<>(slices));
        }
        Map<Integer, List<Slice>> byAcq = new TreeMap<>();
        for (Slice s : slices) {
            byAcq.computeIfAbsent(s.acquisitionNumber(), k -> new ArrayList<>()).add(s);
        }
        if (byAcq.size() > 1 && byAcq.values().stream().noneMatch(DicomSeries::hasDuplicatePositions)) {
            notes.add("split into " + byAcq.size() + " stacks by AcquisitionNumber " + byAcq.keySet() + " (repeated positions)");
            return byAcq.values().stream().map(ArrayList::new).map(l -> (List<Slice>) l).toList();
        }
        return List.of(new ArrayList<>(slices));
    }

    static boolean hasDuplicatePositions(List<Slice> slices) {
        Vec3 n = slices.getFirst().normal();
        double[] p = slices.stream().mapToDouble(s -> s.position().dot(n)).sorted().toArray();
        for (int i = 1; i < p.length; i++) {
            if (p[i] - p[i - 1] < StackAssembler.DUPLICATE_MM) {
                return true;
            }
        }
        return false;
    }
}
