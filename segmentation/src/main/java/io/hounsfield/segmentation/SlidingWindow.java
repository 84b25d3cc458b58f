package io.hounsfield.segmentation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * Sliding-window inference as MONAI and nnU-Net do it: patches at a stride of patch × (1 − overlap) per
 * axis (the last one flush with the far edge), zero padding where the volume is smaller than a patch,
 * the activation applied to each window, and windows blended with a Gaussian importance map (σ = 1/8
 * of the patch per axis, as both use). Several windows go into one {@code run}. Memory is bounded by the
 * output: per-class accumulators and the weight sum, off-heap float32 on the model grid; windows are
 * copied into one reused direct buffer, never into full-size copies.
 */
public final class SlidingWindow {

    private SlidingWindow() {
    }

    /**
     * Per-class probabilities on the model grid (float32 volumes, one per output channel); close to free
     * them. {@code windowsMs}: time inside ONNX Runtime; {@code blendingMs}: copying windows in, the
     * activation, the weighted accumulation and the final division.
     */
    public record Prediction(List<Volume> probabilities, double windowsMs, double blendingMs) implements AutoCloseable {
        @Override
        public void close() {
            probabilities.forEach(Volume::close);
        }
    }

    /** Cancels an inference in progress from another thread ({@code RunOptions.setTerminate}). */
    public static final class Cancellation {
        private volatile boolean cancelled;
        private volatile OrtSession.RunOptions current;

        public void cancel() {
            cancelled = true;
            OrtSession.RunOptions r = current;
            if (r != null) {
                try {
                    r.setTerminate(true);
                } catch (OrtException ignored) {
                    // the run ends anyway; the flag stops the next batch
                }
            }
        }

        public boolean cancelled() {
            return cancelled;
        }
    }

    /** Window start positions along an axis of {@code n} voxels for patch {@code p}. */
    static int[] starts(int n, int p, double overlap) {
        if (n <= p) {
            return new int[] {0};
        }
        int step = Math.max(1, (int) Math.round(p * (1 - overlap)));
        List<Integer> s = new ArrayList<>();
        for (int x = 0; x + p < n; x += step) {
            s.add(x);
        }
        s.add(n - p);
        return s.stream().mapToInt(Integer::intValue).distinct().toArray();
    }

    /** The Gaussian importance map of a patch (x fastest), σ = p/8 per axis, peak 1, no zero weights. */
    static float[] importance(int px, int py, int pz) {
        double[] gx = gauss(px), gy = gauss(py), gz = gauss(pz);
        float[] w = new float[px * py * pz];
        float min = Float.MAX_VALUE;
        for (int z = 0, k = 0; z < pz; z++) {
            for (int y = 0; y < py; y++) {
                for (int x = 0; x < px; x++, k++) {
                    w[k] = (float) (gx[x] * gy[y] * gz[z]);
                    if (w[k] > 0) {
                        min = Math.min(min, w[k]);
                    }
                }
            }
        }
        for (int k = 0; k < w.length; k++) {
            w[k] = Math.max(w[k], min); // as nnU-Net: no voxel may get weight 0
        }
        return w;
    }

    private static double[] gauss(int p) {
        double c = (p - 1) / 2.0, sigma = p / 8.0;
        double[] g = new double[p];
        for (int i = 0; i < p; i++) {
            g[i] = Math.exp(-(i - c) * (i - c) / (2 * sigma * sigma));
        }
        double max = 0;
        for (double v : g) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < p; i++) {
            g[i] /= max;
        }
        return g;
    }

    /**
     * Runs {@code model} over {@code input} (float32, preprocessed, on the model's grid).
     *
     * @param batch windows per {@code run} (the model's fixed batch size wins)
     * @throws CancellationException if {@code cancel} was cancelled
     */
    public static Prediction infer(OnnxModel model, Volume input, int batch, Cancellation cancel) {
        ModelDescriptor d = model.descriptor();
        if (input.type() != VoxelType.FLOAT32) {
            throw new IllegalArgumentException("inference input must be float32, got " + input.type().id());
        }
        if (d.channels() != 1) {
            throw new IllegalArgumentException("model '" + d.name() + "' takes " + d.channels() + " channels; Hounsfield feeds one image");
        }
        Extent e = input.extent();
        int px = d.patch()[0], py = d.patch()[1], pz = d.patch()[2], pn = px * py * pz;
        int[] sx = starts(e.nx(), px, d.overlap()), sy = starts(e.ny(), py, d.overlap()), sz = starts(e.nz(), pz, d.overlap());
        List<int[]> windows = new ArrayList<>();
        for (int z : sz) {
            for (int y : sy) {
                for (int x : sx) {
                    windows.add(new int[] {x, y, z});
                }
            }
        }
        int classes = d.classes(), b = Math.max(1, model.batch(batch));
        float[] imp = importance(px, py, pz);
        List<Volume> acc = new ArrayList<>();
        try (Volume wsum = Volume.allocate(input.geometry(), VoxelType.FLOAT32)) {
            for (int k = 0; k < classes; k++) {
                acc.add(Volume.allocate(input.geometry(), VoxelType.FLOAT32));
            }
            FloatBuffer buf = ByteBuffer.allocateDirect(4 * b * pn).order(ByteOrder.nativeOrder()).asFloatBuffer();
            MemorySegment in = input.segment(), ws = wsum.segment();
            MemorySegment[] as = acc.stream().map(Volume::segment).toArray(MemorySegment[]::new);
            float[] probs = new float[classes];
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long start = System.nanoTime(), inRuntime = 0;
            for (int first = 0; first < windows.size(); first += b) {
                if (cancel != null && cancel.cancelled()) {
                    throw new CancellationException("segmentation cancelled");
                }
                int n = Math.min(b, windows.size() - first);
                buf.clear();
                for (int w = 0; w < n; w++) {
                    int[] o = windows.get(first + w);
                    for (int z = 0; z < pz; z++) {
                        for (int y = 0; y < py; y++) {
                            for (int x = 0; x < px; x++) {
                                int gx = o[0] + x, gy = o[1] + y, gz = o[2] + z;
                                boolean inside = gx < e.nx() && gy < e.ny() && gz < e.nz();
                                buf.put(inside ? in.getAtIndex(ValueLayout.JAVA_FLOAT, e.index(gx, gy, gz)) : 0f);
                            }
                        }
                    }
                }
                buf.flip();
                long r0 = System.nanoTime();
                FloatBuffer out = run(model, env, buf, new long[] {n, 1, pz, py, px}, cancel);
                inRuntime += System.nanoTime() - r0;
                for (int w = 0; w < n; w++) {
                    int[] o = windows.get(first + w);
                    int base = w * classes * pn;
                    for (int z = 0, k = 0; z < pz; z++) {
                        for (int y = 0; y < py; y++) {
                            for (int x = 0; x < px; x++, k++) {
                                int gx = o[0] + x, gy = o[1] + y, gz = o[2] + z;
                                if (gx >= e.nx() || gy >= e.ny() || gz >= e.nz()) {
                                    continue;
                                }
                                for (int c = 0; c < classes; c++) {
                                    probs[c] = out.get(base + c * pn + k);
                                }
                                activate(d.activation(), probs);
                                long idx = e.index(gx, gy, gz);
                                float wt = imp[k];
                                for (int c = 0; c < classes; c++) {
                                    as[c].setAtIndex(ValueLayout.JAVA_FLOAT, idx, as[c].getAtIndex(ValueLayout.JAVA_FLOAT, idx) + wt * probs[c]);
                                }
                                ws.setAtIndex(ValueLayout.JAVA_FLOAT, idx, ws.getAtIndex(ValueLayout.JAVA_FLOAT, idx) + wt);
                            }
                        }
                    }
                }
            }
            for (long i = 0; i < input.voxelCount(); i++) {
                float w = ws.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                for (MemorySegment a : as) {
                    a.setAtIndex(ValueLayout.JAVA_FLOAT, i, a.getAtIndex(ValueLayout.JAVA_FLOAT, i) / w);
                }
            }
            double total = (System.nanoTime() - start) / 1e6;
            return new Prediction(acc, inRuntime / 1e6, total - inRuntime / 1e6);
        } catch (RuntimeException | Error ex) {
            acc.forEach(Volume::close);
            throw ex;
        }
    }

    private static FloatBuffer run(OnnxModel model, OrtEnvironment env, FloatBuffer buf, long[] shape, Cancellation cancel) {
        try (OrtSession.RunOptions ro = new OrtSession.RunOptions(); OnnxTensor t = OnnxTensor.createTensor(env, buf, shape)) {
            if (cancel != null) {
                cancel.current = ro;
                if (cancel.cancelled()) {
                    throw new CancellationException("segmentation cancelled");
                }
            }
            try (OrtSession.Result r = model.session().run(Map.of(model.inputName(), t), ro)) {
                return ((OnnxTensor) r.get(0)).getFloatBuffer();
            }
        } catch (OrtException ex) {
            if (cancel != null && cancel.cancelled()) {
                throw new CancellationException("segmentation cancelled");
            }
            throw new ModelException(ModelException.Problem.RUNTIME, model.file(), "inference failed: " + ex.getMessage(), ex);
        } finally {
            if (cancel != null) {
                cancel.current = null;
            }
        }
    }

    /** The descriptor's activation, in place, over one voxel's channel values. */
    static void activate(ModelDescriptor.Activation a, float[] v) {
        switch (a) {
            case SOFTMAX -> {
                float max = Float.NEGATIVE_INFINITY;
                for (float x : v) {
                    max = Math.max(max, x);
                }
                double sum = 0;
                for (int c = 0; c < v.length; c++) {
                    v[c] = (float) Math.exp(v[c] - max);
                    sum += v[c];
                }
                for (int c = 0; c < v.length; c++) {
                    v[c] = (float) (v[c] / sum);
                }
            }
            case SIGMOID -> {
                for (int c = 0; c < v.length; c++) {
                    v[c] = (float) (1 / (1 + Math.exp(-v[c])));
                }
            }
            case NONE -> {
            }
        }
    }
}
