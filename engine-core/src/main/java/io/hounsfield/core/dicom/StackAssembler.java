package io.hounsfield.core.dicom;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a {@link Stack} into a {@link Volume}, strictly. Slice spacing comes from positions along the
 * normal, never from SliceThickness. Duplicated positions, gaps, non-uniform spacing and sheared
 * stacks (gantry tilt) are refused with a message naming the slices, unless an option says to correct
 * them — and then the result says what was done. Rescale slope and intercept apply per slice; the
 * volume is int16 when every value is an integer that fits (CT in HU), uint16 likewise, float32
 * otherwise. Files decode in parallel on the given executor.
 */
public final class StackAssembler {

    /** Two slices closer than this along the normal are at the same position. */
    static final double DUPLICATE_MM = 0.01;

    /**
     * @param correctTilt    resample a sheared stack (gantry tilt) onto a grid orthogonal to the slices, bilinearly
     * @param dropDuplicates keep one slice (lowest InstanceNumber) of each set at the same position
     */
    public record Options(boolean correctTilt, boolean dropDuplicates) {
        public static final Options STRICT = new Options(false, false);
    }

    private StackAssembler() {
    }

    public static DicomVolume assemble(Stack stack, Options options, Executor executor, ProgressListener progress) throws IOException {
        List<String> warnings = new ArrayList<>(stack.notes());
        List<Slice> slices = dedupe(stack, options, warnings);
        Slice first = slices.getFirst();
        Vec3 n = first.normal();
        int nz = slices.size();
        double[] along = slices.stream().mapToDouble(s -> s.position().dot(n)).toArray();
        double step = checkSpacing(slices, along);
        Vec3[] shifts = checkTilt(slices, along, n, options, warnings);
        if (nz == 1) {
            step = Double.isFinite(first.thickness()) && first.thickness() > 0 ? first.thickness() : 1.0;
            warnings.add("single slice: z spacing " + step + " mm taken from " + (Double.isFinite(first.thickness()) ? "SliceThickness" : "nothing (1 mm)"));
        }
        Geometry g = new Geometry(new Extent(first.columns(), first.rows(), nz), new Vec3(first.columnSpacing(), first.rowSpacing(), step),
                first.position(), Mat3.fromColumns(first.rowDirection(), first.columnDirection(), n));

        int[][] stored = decode(slices, executor, progress);
        // Interpolated (tilt-corrected) values are not integers: keep them as float32.
        VoxelType type = shifts == null ? chooseType(slices, stored) : VoxelType.FLOAT32;
        double fill = shifts == null ? 0 : fillValue(slices, stored);
        Volume v = Volume.allocate(g, type);
        try {
            int plane = first.rows() * first.columns();
            for (int k = 0; k < nz; k++) {
                Slice s = slices.get(k);
                int[] src = stored[k];
                long base = (long) k * plane;
                if (shifts == null) {
                    for (int i = 0; i < plane; i++) {
                        v.set(base + i, s.slope() * src[i] + s.intercept());
                    }
                } else {
                    resampleShifted(v, base, s, src, shifts[k], fill);
                }
            }
            return new DicomVolume(v, stack.info(), warnings, stack.transferSyntaxes());
        } catch (RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /**
     * What would stop (or be corrected in) assembling {@code stack} strictly, without decoding a pixel:
     * duplicates, gaps, irregular spacing, shear. Empty if the stack is a clean volume.
     */
    public static List<String> problems(Stack stack) {
        List<String> out = new ArrayList<>();
        try {
            List<Slice> slices = dedupe(stack, Options.STRICT, out);
            Vec3 n = slices.getFirst().normal();
            double[] along = slices.stream().mapToDouble(s -> s.position().dot(n)).toArray();
            checkSpacing(slices, along);
            checkTilt(slices, along, n, Options.STRICT, out);
        } catch (DicomException e) {
            out.add(e.getMessage());
        }
        return out;
    }

    private static List<Slice> dedupe(Stack stack, Options options, List<String> warnings) throws DicomException {
        List<Slice> slices = new ArrayList<>(stack.slices());
        Vec3 n = stack.normal();
        for (int k = 1; k < slices.size(); k++) {
            Slice a = slices.get(k - 1), b = slices.get(k);
            if (b.position().dot(n) - a.position().dot(n) < DUPLICATE_MM) {
                if (!options.dropDuplicates()) {
                    throw new DicomException(Problem.BAD_GEOMETRY, b.file().name(), Tag.IMAGE_POSITION_PATIENT, String.format(Locale.ROOT,
                            "two slices at %.3f mm along the normal: %s and %s (duplicate; drop duplicates explicitly to keep one)",
                            b.position().dot(n), a.file().name(), b.file().name()));
                }
                Slice drop = a.instanceNumber() <= b.instanceNumber() ? b : a;
                slices.remove(drop);
                warnings.add("dropped duplicate slice " + drop.file().name() + " (same position as another)");
                k--;
            }
        }
        return slices;
    }

    /** The uniform step between slices, or a refusal naming the gap or the irregular step. */
    private static double checkSpacing(List<Slice> slices, double[] along) throws DicomException {
        int nz = along.length;
        if (nz < 2) {
            return 1;
        }
        double[] steps = new double[nz - 1];
        for (int k = 0; k + 1 < nz; k++) {
            steps[k] = along[k + 1] - along[k];
        }
        double[] sorted = steps.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double tol = Math.max(DUPLICATE_MM, 0.01 * median);
        for (int k = 0; k < steps.length; k++) {
            if (Math.abs(steps[k] - median) > tol) {
                double ratio = steps[k] / median;
                String where = String.format(Locale.ROOT, "between %.3f mm (%s) and %.3f mm (%s)", along[k],
                        slices.get(k).file().name(), along[k + 1], slices.get(k + 1).file().name());
                String what = ratio > 1.5 && Math.abs(ratio - Math.rint(ratio)) < 0.05
                        ? String.format(Locale.ROOT, "gap of %.3f mm %s where slices are %.3f mm apart: %d slice(s) missing",
                                steps[k], where, median, Math.round(ratio) - 1)
                        : String.format(Locale.ROOT, "non-uniform slice spacing: %.3f mm %s where %.3f mm is typical",
                                steps[k], where, median);
                throw new DicomException(Problem.BAD_GEOMETRY, slices.get(k + 1).file().name(), Tag.IMAGE_POSITION_PATIENT, what);
            }
        }
        return (along[nz - 1] - along[0]) / (nz - 1);
    }

    /**
     * In-plane offsets of each slice from the line through the first slice along the normal: null when
     * the stack is orthogonal; the offsets when it is sheared and correction was asked for.
     */
    private static Vec3[] checkTilt(List<Slice> slices, double[] along, Vec3 n, Options options, List<String> warnings)
            throws DicomException {
        int nz = slices.size();
        Vec3 p0 = slices.getFirst().position();
        Vec3[] shifts = new Vec3[nz];
        double worst = 0;
        for (int k = 0; k < nz; k++) {
            Vec3 d = slices.get(k).position().minus(p0);
            shifts[k] = d.minus(n.times(along[k] - along[0]));
            worst = Math.max(worst, shifts[k].norm());
        }
        if (worst <= DUPLICATE_MM + 1e-4 * (along[nz - 1] - along[0])) {
            return null;
        }
        double degrees = Math.toDegrees(Math.atan2(shifts[nz - 1].norm(), along[nz - 1] - along[0]));
        String what = String.format(Locale.ROOT, "sheared stack: slice positions drift %.3f mm sideways over %.3f mm (gantry tilt %.2f°)",
                shifts[nz - 1].norm(), along[nz - 1] - along[0], degrees);
        if (!options.correctTilt()) {
            throw new DicomException(Problem.BAD_GEOMETRY, slices.getLast().file().name(), Tag.IMAGE_POSITION_PATIENT,
                    what + "; correct it explicitly (--correct-tilt resamples onto an orthogonal grid)");
        }
        warnings.add(what + "; corrected by bilinear resampling onto a grid orthogonal to the slices");
        return shifts;
    }

    /** Decodes each file once (multi-frame files hold several slices), in parallel. */
    private static int[][] decode(List<Slice> slices, Executor executor, ProgressListener progress) throws IOException {
        Map<DicomFile, CompletableFuture<int[][]>> byFile = new IdentityHashMap<>();
        AtomicInteger done = new AtomicInteger();
        Map<DicomFile, Boolean> order = new LinkedHashMap<>();
        slices.forEach(s -> order.put(s.file(), true));
        int files = order.size();
        for (DicomFile f : order.keySet()) {
            byFile.put(f, CompletableFuture.supplyAsync(() -> {
                try {
                    int[][] frames = f.decodeFrames();
                    progress.update("decode DICOM", done.incrementAndGet(), files);
                    return frames;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, executor));
        }
        int[][] out = new int[slices.size()][];
        try {
            for (int k = 0; k < out.length; k++) {
                Slice s = slices.get(k);
                int[][] frames = byFile.get(s.file()).join();
                if (s.frame() >= frames.length) {
                    throw new DicomException(Problem.TRUNCATED, s.file().name(), Tag.NUMBER_OF_FRAMES, "frame " + s.frame() + " is missing");
                }
                out[k] = frames[s.frame()];
            }
        } catch (CompletionException e) {
            byFile.values().forEach(c -> c.cancel(false));
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
        return out;
    }

    /** int16 or uint16 when every rescaled value is an integer in range, float32 otherwise. */
    static VoxelType chooseType(List<Slice> slices, int[][] stored) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        boolean integral = true;
        for (int k = 0; k < slices.size(); k++) {
            Slice s = slices.get(k);
            integral &= s.slope() == Math.rint(s.slope()) && s.intercept() == Math.rint(s.intercept());
            int lo = Integer.MAX_VALUE, hi = Integer.MIN_VALUE;
            for (int v : stored[k]) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            double a = s.slope() * lo + s.intercept(), b = s.slope() * hi + s.intercept();
            min = Math.min(min, Math.min(a, b));
            max = Math.max(max, Math.max(a, b));
        }
        if (integral && min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
            return VoxelType.INT16;
        }
        if (integral && min >= 0 && max <= 65535) {
            return VoxelType.UINT16;
        }
        return VoxelType.FLOAT32;
    }

    private static double fillValue(List<Slice> slices, int[][] stored) {
        double min = Double.POSITIVE_INFINITY;
        for (int k = 0; k < slices.size(); k++) {
            for (int v : stored[k]) {
                min = Math.min(min, slices.get(k).slope() * v + slices.get(k).intercept());
            }
        }
        return min;
    }

    /** Writes slice {@code s} shifted by −{@code offset} in its plane, bilinearly; outside the slice: {@code fill}. */
    private static void resampleShifted(Volume v, long base, Slice s, int[] src, Vec3 offset, double fill) {
        int w = s.columns(), h = s.rows();
        double du = offset.dot(s.rowDirection()) / s.columnSpacing(), dv = offset.dot(s.columnDirection()) / s.rowSpacing();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = snap(x - du), t = snap(y - dv);
                int x0 = (int) Math.floor(u), y0 = (int) Math.floor(t);
                double fx = u - x0, fy = t - y0;
                double val;
                if (x0 < 0 || y0 < 0 || x0 + 1 > w - 1 && fx > 0 || y0 + 1 > h - 1 && fy > 0 || x0 > w - 1 || y0 > h - 1) {
                    val = fill;
                } else {
                    double a = sample(src, w, h, x0, y0), b = sample(src, w, h, x0 + 1, y0);
                    double c = sample(src, w, h, x0, y0 + 1), d = sample(src, w, h, x0 + 1, y0 + 1);
                    double raw = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
                    val = s.slope() * raw + s.intercept();
                }
                v.set(base + (long) y * w + x, val);
            }
        }
    }

    /** Rounding noise in the shift (1e-15 of a pixel) must not push a border pixel outside. */
    private static double snap(double c) {
        double r = Math.rint(c);
        return Math.abs(c - r) < 1e-6 ? r : c;
    }

    private static double sample(int[] src, int w, int h, int x, int y) {
        return src[Math.min(y, h - 1) * w + Math.min(x, w - 1)];
    }
}
