package io.hounsfield.segmentation;

import io.hounsfield.core.Vec3;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What Hounsfield needs to know to run a segmentation model: the descriptor beside its {@code .onnx}
 * file ({@code model.yaml} or {@code model.json}; JSON is YAML). Example:
 *
 * <pre>
 * name: demo-ct
 * input: {spacing: [2.8, 2.8, 4.0], channels: 1, patch: [64, 64, 32], overlap: 0.5}
 * intensity: {type: ct, clip: [-200, 300], normalize: [60, 80]}
 * labels: [background, lesion, liver]
 * activation: softmax
 * postprocessing: {largestComponent: true, fillHoles: true}
 * </pre>
 *
 * Spacing and patch are x, y, z (mm; voxels). The model takes {@code [batch, channels, z, y, x]} float32
 * and returns {@code [batch, classes, z, y, x]}. {@code activation} is what Hounsfield applies to each
 * window's output before blending: {@code softmax} over classes (the model returns logits; classes =
 * labels), {@code sigmoid} (one channel per foreground label), or {@code none} (the model returns
 * probabilities, classes = labels). Intensity: {@code ct} clips to [lo, hi] then maps
 * {@code (x − mean)/sd} with {@code normalize: [mean, sd]} (or to [0, 1] without it); {@code mr} clips to
 * the volume's [p_lo, p_hi] percentiles ({@code percentiles}, default [0.5, 99.5]) then z-scores;
 * {@code none} passes intensities through.
 */
public record ModelDescriptor(String name, Vec3 spacing, int channels, int[] patch, double overlap, Intensity intensity,
                              List<String> labels, Activation activation, boolean largestComponent, boolean fillHoles) {

    public enum Activation { SOFTMAX, SIGMOID, NONE }

    /** Intensity preprocessing. */
    public record Intensity(String type, double lo, double hi, double mean, double sd, double pLo, double pHi) {
    }

    public ModelDescriptor {
        if (patch.length != 3 || patch[0] < 1 || patch[1] < 1 || patch[2] < 1) {
            throw new IllegalArgumentException("patch must be three positive sizes (x, y, z)");
        }
        if (!(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("overlap must be in [0, 1), got " + overlap);
        }
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labels must name the background and at least one label");
        }
        labels = List.copyOf(labels);
        patch = patch.clone();
    }

    /** Output channels the model must produce. */
    public int classes() {
        return activation == Activation.SIGMOID ? labels.size() - 1 : labels.size();
    }

    private static final Set<String> TOP = Set.of("name", "input", "intensity", "labels", "activation", "postprocessing");

    /** Reads and checks a descriptor; every problem is a {@link ModelException} naming the file and the key. */
    public static ModelDescriptor read(Path file) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new ModelException(ModelException.Problem.BAD_DESCRIPTOR, file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ModelException(ModelException.Problem.BAD_DESCRIPTOR, file, "not YAML or JSON: " + e.getMessage(), e);
        }
        try {
            Map<String, Object> m = map(root, "the descriptor");
            for (String k : m.keySet()) {
                if (!TOP.contains(k)) {
                    throw new IllegalArgumentException("unknown key '" + k + "' (expected " + TOP + ")");
                }
            }
            Map<String, Object> in = map(m.get("input"), "input");
            double[] sp = numbers(in.get("spacing"), "input.spacing", 3);
            double[] pa = numbers(in.get("patch"), "input.patch", 3);
            int channels = in.containsKey("channels") ? (int) number(in.get("channels"), "input.channels") : 1;
            double overlap = in.containsKey("overlap") ? number(in.get("overlap"), "input.overlap") : 0.5;
            Map<String, Object> it = m.containsKey("intensity") ? map(m.get("intensity"), "intensity") : Map.of("type", "none");
            String type = String.valueOf(it.getOrDefault("type", "none"));
            Intensity intensity = switch (type) {
                case "ct" -> {
                    double[] clip = numbers(it.get("clip"), "intensity.clip", 2);
                    double[] norm = it.containsKey("normalize") ? numbers(it.get("normalize"), "intensity.normalize", 2)
                            : new double[] {clip[0], clip[1] - clip[0]};
                    yield new Intensity("ct", clip[0], clip[1], norm[0], norm[1], Double.NaN, Double.NaN);
                }
                case "mr" -> {
                    double[] p = it.containsKey("percentiles") ? numbers(it.get("percentiles"), "intensity.percentiles", 2)
                            : new double[] {0.5, 99.5};
                    yield new Intensity("mr", Double.NaN, Double.NaN, Double.NaN, Double.NaN, p[0], p[1]);
                }
                case "none" -> new Intensity("none", Double.NaN, Double.NaN, 0, 1, Double.NaN, Double.NaN);
                default -> throw new IllegalArgumentException("intensity.type must be ct, mr or none, got '" + type + "'");
            };
            List<String> labels = new ArrayList<>();
            if (!(m.get("labels") instanceof List<?> l)) {
                throw new IllegalArgumentException("labels must be a list of names, background first");
            }
            l.forEach(x -> labels.add(String.valueOf(x)));
            Activation act = switch (String.valueOf(m.getOrDefault("activation", "softmax"))) {
                case "softmax" -> Activation.SOFTMAX;
                case "sigmoid" -> Activation.SIGMOID;
                case "none" -> Activation.NONE;
                default -> throw new IllegalArgumentException("activation must be softmax, sigmoid or none, got '" + m.get("activation") + "'");
            };
            Map<String, Object> post = m.containsKey("postprocessing") ? map(m.get("postprocessing"), "postprocessing") : Map.of();
            String name = String.valueOf(m.getOrDefault("name", file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "")));
            return new ModelDescriptor(name, new Vec3(sp[0], sp[1], sp[2]), channels,
                    new int[] {(int) pa[0], (int) pa[1], (int) pa[2]}, overlap, intensity, labels, act,
                    Boolean.TRUE.equals(post.get("largestComponent")), Boolean.TRUE.equals(post.get("fillHoles")));
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ModelException(ModelException.Problem.BAD_DESCRIPTOR, file, e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(what + " must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static double number(Object o, String what) {
        if (!(o instanceof Number n)) {
            throw new IllegalArgumentException(what + " must be a number, got " + o);
        }
        return n.doubleValue();
    }

    private static double[] numbers(Object o, String what, int n) {
        if (!(o instanceof List<?> l) || l.size() != n) {
            throw new IllegalArgumentException(what + " must be a list of " + n + " numbers, got " + o);
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = number(l.get(i), what);
        }
        return out;
    }
}
