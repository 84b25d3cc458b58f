package io.hounsfield.radiomics;

import io.hounsfield.core.Vec3;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.radiomics.features.Discretisation;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads settings from a parameter file in PyRadiomics' YAML layout (top-level {@code setting},
 * {@code imageType}, {@code featureClass}) plus an optional {@code hounsfield} section for what
 * PyRadiomics has no key for. Every key is either applied or refused with its name: nothing is ignored
 * silently except PyRadiomics keys that only tune its own execution ({@link #NO_EFFECT}).
 */
public final class ParameterFile {

    /** PyRadiomics settings accepted with no effect: they tune PyRadiomics' own run, not the features. */
    static final Set<String> NO_EFFECT = Set.of("preCrop", "padDistance", "additionalInfo", "enableCExtensions");
    /** PyRadiomics settings Hounsfield does not implement: refused, so no result silently differs. */
    static final Set<String> UNSUPPORTED = Set.of("normalize", "normalizeScale", "removeOutliers", "force2D", "force2Ddimension",
            "voxelArrayShift", "distances", "symmetricalGLCM", "weightingNorm", "gldm_a", "minimumROIDimensions", "minimumROISize",
            "correctMask", "geometryTolerance", "resegmentShape", "label_channel", "kernelRadius", "maskedKernel", "initValue",
            "voxelBatch", "sigma", "binCount_texture");

    private ParameterFile() {
    }

    public static RadiomicsSettings read(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            return parse(text, file.getFileName().toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** @throws IllegalArgumentException naming the key and what was wrong */
    public static RadiomicsSettings parse(String yaml, String name) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null) {
            return RadiomicsSettings.defaults();
        }
        Map<String, Object> top = map(root, "the file");
        RadiomicsSettings d = RadiomicsSettings.defaults();
        int label = d.label();
        Vec3 spacing = null;
        Interpolation interpolation = Interpolation.TRICUBIC; // PyRadiomics' default interpolator is sitkBSpline
        boolean round = false, outliers = false;
        double lo = Double.NaN, hi = Double.NaN, ivhStep = Double.NaN;
        Discretisation disc = d.discretisation();
        Set<String> families = new LinkedHashSet<>(RadiomicsSettings.ALL_FAMILIES);
        List<String> aggregations = new ArrayList<>(d.aggregations());
        String unit = "";
        String resegmentMode = "absolute";
        List<Double> range = null;
        for (var e : top.entrySet()) {
            switch (e.getKey()) {
                case "setting" -> {
                    for (var s : map(e.getValue(), "setting").entrySet()) {
                        String k = s.getKey();
                        Object v = s.getValue();
                        switch (k) {
                            case "label" -> label = integer(v, k);
                            case "binWidth" -> disc = Discretisation.binSize(number(v, k));
                            case "binCount" -> disc = Discretisation.binNumber(integer(v, k));
                            case "resampledPixelSpacing" -> {
                                List<Double> sp = numbers(v, k);
                                if (sp.size() != 3) {
                                    throw new IllegalArgumentException("setting 'resampledPixelSpacing' needs 3 values, got " + sp.size());
                                }
                                // PyRadiomics: a 0 keeps the original spacing on that axis; not supported here.
                                if (sp.stream().anyMatch(x -> x <= 0)) {
                                    throw new IllegalArgumentException("setting 'resampledPixelSpacing': spacing must be > 0 on every axis");
                                }
                                spacing = new Vec3(sp.get(0), sp.get(1), sp.get(2));
                            }
                            case "interpolator" -> interpolation = interpolator(v);
                            case "resegmentRange" -> range = numbers(v, k);
                            case "resegmentMode" -> resegmentMode = String.valueOf(v);
                            default -> {
                                if (UNSUPPORTED.contains(k)) {
                                    throw new IllegalArgumentException("setting '" + k + "' is a PyRadiomics setting Hounsfield does not support");
                                }
                                if (!NO_EFFECT.contains(k)) {
                                    throw new IllegalArgumentException("unknown setting '" + k + "'");
                                }
                            }
                        }
                    }
                }
                case "imageType" -> {
                    for (var t : map(e.getValue(), "imageType").entrySet()) {
                        if (!t.getKey().equals("Original")) {
                            throw new IllegalArgumentException("imageType '" + t.getKey() + "' is not supported (only Original)");
                        }
                    }
                }
                case "featureClass" -> {
                    families.clear();
                    for (var c : map(e.getValue(), "featureClass").entrySet()) {
                        if (c.getValue() != null && !(c.getValue() instanceof List<?> l && l.isEmpty())) {
                            throw new IllegalArgumentException("featureClass '" + c.getKey() + "': choosing single features is not supported; give the class alone");
                        }
                        families.addAll(familiesOf(c.getKey()));
                    }
                }
                case "hounsfield" -> {
                    for (var h : map(e.getValue(), "hounsfield").entrySet()) {
                        switch (h.getKey()) {
                            case "roundIntensities" -> round = bool(h.getValue(), h.getKey());
                            case "ivhStep" -> ivhStep = number(h.getValue(), h.getKey());
                            case "unit" -> unit = String.valueOf(h.getValue());
                            case "aggregations" -> {
                                aggregations.clear();
                                for (Object a : list(h.getValue(), h.getKey())) {
                                    aggregations.add(String.valueOf(a));
                                }
                            }
                            default -> throw new IllegalArgumentException("unknown hounsfield setting '" + h.getKey() + "'");
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown top-level key '" + e.getKey() + "' (expected setting, imageType, featureClass, hounsfield)");
            }
        }
        if (range != null) {
            if (range.size() != 2) {
                throw new IllegalArgumentException("setting 'resegmentRange' needs 2 values [min, max], got " + range.size());
            }
            switch (resegmentMode) {
                case "absolute" -> {
                    lo = range.get(0);
                    hi = range.get(1);
                }
                case "sigma" -> {
                    if (range.get(0) != -3 || range.get(1) != 3) {
                        throw new IllegalArgumentException("resegmentMode 'sigma' is supported as IBSI's outlier filter, range [-3, 3] only");
                    }
                    outliers = true;
                }
                default -> throw new IllegalArgumentException("setting 'resegmentMode' must be absolute or sigma, got '" + resegmentMode + "'");
            }
        }
        return new RadiomicsSettings(label, spacing, interpolation, round, lo, hi, outliers, disc, ivhStep, families, aggregations, unit);
    }

    private static Set<String> familiesOf(String cls) {
        return switch (cls) {
            case "shape", "morphology" -> Set.of(RadiomicsSettings.MORPHOLOGY);
            case "firstorder" -> Set.of(RadiomicsSettings.INTENSITY_STATISTICS);
            case "local_intensity" -> Set.of(RadiomicsSettings.LOCAL_INTENSITY);
            case "intensity_statistics" -> Set.of(RadiomicsSettings.INTENSITY_STATISTICS);
            case "intensity_histogram" -> Set.of(RadiomicsSettings.INTENSITY_HISTOGRAM);
            case "intensity_volume_histogram" -> Set.of(RadiomicsSettings.IVH);
            case "glcm" -> Set.of(RadiomicsSettings.GLCM);
            case "glrlm" -> Set.of(RadiomicsSettings.GLRLM);
            case "glszm" -> Set.of(RadiomicsSettings.GLSZM);
            case "gldzm" -> Set.of(RadiomicsSettings.GLDZM);
            case "ngtdm" -> Set.of(RadiomicsSettings.NGTDM);
            // PyRadiomics' GLDM is IBSI's NGLDM (neighbouring grey level dependence, distance 1, alpha 0).
            case "gldm", "ngldm" -> Set.of(RadiomicsSettings.NGLDM);
            default -> throw new IllegalArgumentException("unknown featureClass '" + cls + "'");
        };
    }

    private static Interpolation interpolator(Object v) {
        return switch (String.valueOf(v)) {
            case "sitkNearestNeighbor", "nearest" -> Interpolation.NEAREST;
            case "sitkLinear", "linear", "trilinear" -> Interpolation.TRILINEAR;
            case "sitkBSpline", "tricubic" -> Interpolation.TRICUBIC;
            default -> throw new IllegalArgumentException("setting 'interpolator': '" + v
                    + "' is not supported (sitkNearestNeighbor, sitkLinear, sitkBSpline = tricubic)");
        };
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String what) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("'" + what + "' must be a mapping");
        }
        return (Map<String, Object>) v;
    }

    private static List<?> list(Object v, String key) {
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException("setting '" + key + "' must be a list");
        }
        return l;
    }

    private static List<Double> numbers(Object v, String key) {
        List<Double> out = new ArrayList<>();
        for (Object o : list(v, key)) {
            out.add(number(o, key));
        }
        return out;
    }

    private static double number(Object v, String key) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("setting '" + key + "' must be a number, got '" + v + "'");
    }

    private static int integer(Object v, String key) {
        if (v instanceof Integer i) {
            return i;
        }
        throw new IllegalArgumentException("setting '" + key + "' must be an integer, got '" + v + "'");
    }

    private static boolean bool(Object v, String key) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("setting '" + key + "' must be true or false, got '" + v + "'");
    }
}
