package io.hounsfield.segmentation;

import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.core.backend.Resampling;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Image → mask with one model: resampling to the model's spacing (IBSI's centred grid, trilinear),
 * the descriptor's intensity preprocessing, sliding-window inference, labels and post-processing on
 * the model grid, and the labels back onto the image's grid (nearest neighbour). Thread-safe.
 */
public final class Segmenter {

    private final ComputeBackend backend;
    private final int batch;

    /** @param batch windows per ONNX run */
    public Segmenter(ComputeBackend backend, int batch) {
        this.backend = backend;
        this.batch = batch;
    }

    /** The mask, on the image's grid, and per-stage wall times (ms). */
    public record Result(Mask mask, Map<String, Double> timingsMs) implements AutoCloseable {
        @Override
        public void close() {
            mask.close();
        }
    }

    public Result segment(Volume image, OnnxModel model, SlidingWindow.Cancellation cancel) {
        ModelDescriptor d = model.descriptor();
        Map<String, Double> t = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        Geometry grid = Resampling.centredGrid(image.geometry(), d.spacing());
        try (Volume resampled = backend.resample(image, grid, Interpolation.TRILINEAR)) {
            t.put("resample", ms(t0));
            long t1 = System.nanoTime();
            preprocess(resampled, d);
            t.put("intensity", ms(t1));
            Mask labels;
            try (SlidingWindow.Prediction p = SlidingWindow.infer(model, resampled, batch, cancel)) {
                t.put("windows", p.windowsMs());
                t.put("blending", p.blendingMs());
                long t3 = System.nanoTime();
                labels = PostProcessing.labels(p, d);
                try {
                    for (int label = 1; label < d.labels().size(); label++) {
                        if (d.largestComponent()) {
                            PostProcessing.largestComponent(labels, label);
                        }
                        if (d.fillHoles()) {
                            PostProcessing.fillHoles(labels, label);
                        }
                    }
                } catch (RuntimeException | Error e) {
                    labels.close();
                    throw e;
                }
                t.put("post-processing", ms(t3));
            }
            long t4 = System.nanoTime();
            try (labels) {
                Mask out = nearest(labels, image.geometry());
                t.put("resample back", ms(t4));
                t.put("total", ms(t0));
                return new Result(out, t);
            }
        }
    }

    /**
     * {@code labels} resampled onto {@code target} by nearest neighbour, through the same index map and
     * rounding as the backends' nearest resampling, written straight into the new mask's bytes (a label
     * map of a 512×512×300 image is 78 M voxels: no float copy, no per-voxel objects).
     */
    static Mask nearest(Mask labels, Geometry target) {
        io.hounsfield.core.Extent se = labels.geometry().extent(), te = target.extent();
        double[] m = Resampling.indexMap(labels.geometry(), target);
        Mask out = Mask.allocate(target);
        MemorySegment src = labels.asVolume().segment(), dst = out.asVolume().segment();
        long k = 0;
        for (int z = 0; z < te.nz(); z++) {
            for (int y = 0; y < te.ny(); y++) {
                for (int x = 0; x < te.nx(); x++, k++) {
                    int i = round(m[0] * x + m[1] * y + m[2] * z + m[3], se.nx());
                    int j = round(m[4] * x + m[5] * y + m[6] * z + m[7], se.ny());
                    int l = round(m[8] * x + m[9] * y + m[10] * z + m[11], se.nz());
                    dst.set(ValueLayout.JAVA_BYTE, k, src.get(ValueLayout.JAVA_BYTE, se.index(i, j, l)));
                }
            }
        }
        return out;
    }

    /** Clamped to [0, n − 1], then rounded as {@link Math#round(double)} (ties up): the CPU backend's nearest rule. */
    private static int round(double q, int n) {
        return (int) Math.round(q < 0 ? 0 : q > n - 1 ? n - 1 : q);
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }

    /** The descriptor's intensity preprocessing, in place on a float32 volume. */
    static void preprocess(Volume v, ModelDescriptor d) {
        if (v.type() != VoxelType.FLOAT32) {
            throw new IllegalArgumentException("preprocessing works on float32");
        }
        MemorySegment s = v.segment();
        long n = v.voxelCount();
        ModelDescriptor.Intensity it = d.intensity();
        switch (it.type()) {
            case "ct" -> {
                for (long i = 0; i < n; i++) {
                    double x = Math.min(it.hi(), Math.max(it.lo(), s.getAtIndex(ValueLayout.JAVA_FLOAT, i)));
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((x - it.mean()) / it.sd()));
                }
            }
            case "mr" -> {
                float[] all = new float[(int) n];
                MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, all, 0, (int) n);
                float[] sorted = all.clone();
                Arrays.sort(sorted);
                double lo = sorted[(int) Math.floor(it.pLo() / 100 * (n - 1))], hi = sorted[(int) Math.ceil(it.pHi() / 100 * (n - 1))];
                double sum = 0, sq = 0;
                for (float f : all) {
                    double x = Math.min(hi, Math.max(lo, f));
                    sum += x;
                    sq += x * x;
                }
                double mean = sum / n, sd = Math.sqrt(Math.max(1e-12, sq / n - mean * mean));
                for (long i = 0; i < n; i++) {
                    double x = Math.min(hi, Math.max(lo, all[(int) i]));
                    s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) ((x - mean) / sd));
                }
            }
            default -> {
            }
        }
    }
}
