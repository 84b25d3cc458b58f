package io.hounsfield.segmentation;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A loaded segmentation model: its ONNX Runtime session and descriptor, checked against each other at
 * load time. {@link OrtSession#run} is thread-safe, so one model serves concurrent requests. Owned by a
 * {@link ModelRegistry}, or by whoever loaded it; {@link #close()} frees the session.
 */
public final class OnnxModel implements AutoCloseable {

    private final Path file;
    private final ModelDescriptor descriptor;
    private final OrtSession session;
    private final String inputName;
    private final boolean fixedPatch;
    private final long fixedBatch;

    private OnnxModel(Path file, ModelDescriptor descriptor, OrtSession session, String inputName, boolean fixedPatch, long fixedBatch) {
        this.file = file;
        this.descriptor = descriptor;
        this.session = session;
        this.inputName = inputName;
        this.fixedPatch = fixedPatch;
        this.fixedBatch = fixedBatch;
    }

    /**
     * Loads {@code onnx} with {@code options} and checks it against {@code descriptor}: one float input
     * {@code [batch, channels, z, y, x]} whose spatial sizes are free or the descriptor's patch, and a first
     * output {@code [batch, classes, z, y, x]}.
     *
     * @throws ModelException naming both files when the file is not ONNX or the two do not match
     */
    public static OnnxModel load(OrtEnvironment env, Path onnx, ModelDescriptor descriptor, OrtSession.SessionOptions options) {
        if (!Files.isRegularFile(onnx)) {
            throw new ModelException(ModelException.Problem.NOT_ONNX, onnx, "no such file");
        }
        OrtSession session;
        try {
            session = env.createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new ModelException(ModelException.Problem.NOT_ONNX, onnx, "not a loadable ONNX model: " + e.getMessage(), e);
        }
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            if (inputs.size() != 1) {
                throw mismatch(onnx, descriptor, "the model has " + inputs.size() + " inputs; Hounsfield feeds exactly one image tensor");
            }
            var in = inputs.entrySet().iterator().next();
            long[] is = shape(onnx, descriptor, in.getValue(), "input");
            int[] p = descriptor.patch();
            if (is.length != 5) {
                throw mismatch(onnx, descriptor, "input shape " + Arrays.toString(is) + " is not [batch, channels, z, y, x]");
            }
            if (is[1] != -1 && is[1] != descriptor.channels()) {
                throw mismatch(onnx, descriptor, "input has " + is[1] + " channels, the descriptor says " + descriptor.channels());
            }
            long[] want = {p[2], p[1], p[0]};
            boolean fixed = true;
            for (int k = 0; k < 3; k++) {
                if (is[k + 2] == -1) {
                    fixed = false;
                } else if (is[k + 2] != want[k]) {
                    throw mismatch(onnx, descriptor, "input spatial size " + Arrays.toString(Arrays.copyOfRange(is, 2, 5))
                            + " (z, y, x) is not the descriptor's patch " + Arrays.toString(want));
                }
            }
            var out = session.getOutputInfo().entrySet().iterator().next();
            long[] os = shape(onnx, descriptor, out.getValue(), "output");
            if (os.length != 5) {
                throw mismatch(onnx, descriptor, "output shape " + Arrays.toString(os) + " is not [batch, classes, z, y, x]");
            }
            if (os[1] != -1 && os[1] != descriptor.classes()) {
                throw mismatch(onnx, descriptor, "output has " + os[1] + " channels, the descriptor's " + descriptor.labels().size()
                        + " labels with activation " + descriptor.activation().name().toLowerCase() + " need " + descriptor.classes());
            }
            return new OnnxModel(onnx, descriptor, session, in.getKey(), fixed, is[0]);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelException(ModelException.Problem.RUNTIME, onnx, e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    private static long[] shape(Path onnx, ModelDescriptor d, NodeInfo n, String what) {
        if (!(n.getInfo() instanceof TensorInfo t)) {
            throw mismatch(onnx, d, "the " + what + " '" + n.getName() + "' is not a tensor");
        }
        if (t.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw mismatch(onnx, d, "the " + what + " '" + n.getName() + "' is " + t.type + ", not float32");
        }
        return t.getShape();
    }

    private static ModelException mismatch(Path onnx, ModelDescriptor d, String what) {
        return new ModelException(ModelException.Problem.MISMATCH, onnx, what + " (descriptor '" + d.name() + "')");
    }

    private static void closeQuietly(OrtSession s) {
        try {
            s.close();
        } catch (OrtException ignored) {
            // already failing
        }
    }

    public Path file() {
        return file;
    }

    public ModelDescriptor descriptor() {
        return descriptor;
    }

    OrtSession session() {
        return session;
    }

    String inputName() {
        return inputName;
    }

    /** True if the model's spatial input size is fixed (to the patch). */
    public boolean fixedPatch() {
        return fixedPatch;
    }

    /** The largest batch the model takes: its fixed batch size, or {@code wanted} if the batch is free. */
    int batch(int wanted) {
        return fixedBatch > 0 ? (int) fixedBatch : wanted;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the session of " + file, e);
        }
    }
}
