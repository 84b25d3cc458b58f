package io.hounsfield.radiomics.features;

import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;
import io.hounsfield.radiomics.FeatureValue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * IBSI's texture families over one level grid, with IBSI's aggregation methods (IBSI §3.6.1 and the
 * family sections): matrices per slice and direction (2D), merged per slice (2D, slice-merged), merged
 * over slices per direction (2.5D, direction-merged), merged over both (2.5D, merged), per 3D direction
 * (3D, averaged) or merged over the 13 directions (3D, merged) for GLCM and GLRLM; per slice (2D), merged
 * over slices (2.5D) and 3D for GLSZM, GLDZM, NGTDM and NGLDM. Features of several matrices are averaged
 * (NaN values left out). Matrices come from the backend; the formulas are shared Java.
 */
public final class Texture {

    public static final String GLCM = "GLCM", GLRLM = "GLRLM", GLSZM = "GLSZM", GLDZM = "GLDZM", NGTDM = "NGTDM", NGLDM = "NGLDM";
    public static final List<String> FAMILIES = List.of(GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM);

    static final String[][] GLRLM_FEATURES = {{"22OV", "Short runs emphasis"}, {"W4KF", "Long runs emphasis"},
            {"V3SW", "Low grey level run emphasis"}, {"G3QZ", "High grey level run emphasis"}, {"HTZT", "Short run low grey level emphasis"},
            {"GD3A", "Short run high grey level emphasis"}, {"IVPO", "Long run low grey level emphasis"},
            {"3KUM", "Long run high grey level emphasis"}, {"R5YN", "Grey level non-uniformity"},
            {"OVBL", "Normalised grey level non-uniformity"}, {"W92Y", "Run length non-uniformity"},
            {"IC23", "Normalised run length non-uniformity"}, {"9ZK5", "Run percentage"}, {"8CE5", "Grey level variance"},
            {"SXLW", "Run length variance"}, {"HJ9O", "Run entropy"}};
    static final String[][] GLSZM_FEATURES = {{"5QRC", "Small zone emphasis"}, {"48P8", "Large zone emphasis"},
            {"XMSY", "Low grey level zone emphasis"}, {"5GN9", "High grey level zone emphasis"}, {"5RAI", "Small zone low grey level emphasis"},
            {"HW1V", "Small zone high grey level emphasis"}, {"YH51", "Large zone low grey level emphasis"},
            {"J17V", "Large zone high grey level emphasis"}, {"JNSA", "Grey level non-uniformity"},
            {"Y1RO", "Normalised grey level non-uniformity"}, {"4JP3", "Zone size non-uniformity"},
            {"VB3A", "Normalised zone size non-uniformity"}, {"P30P", "Zone percentage"}, {"BYLV", "Grey level variance"},
            {"3NSA", "Zone size variance"}, {"GU8N", "Zone size entropy"}};
    static final String[][] GLDZM_FEATURES = {{"0GBI", "Small distance emphasis"}, {"MB4I", "Large distance emphasis"},
            {"S1RA", "Low grey level zone emphasis"}, {"K26C", "High grey level zone emphasis"},
            {"RUVG", "Small distance low grey level emphasis"}, {"DKNJ", "Small distance high grey level emphasis"},
            {"A7WM", "Large distance low grey level emphasis"}, {"KLTH", "Large distance high grey level emphasis"},
            {"VFT7", "Grey level non-uniformity"}, {"7HP3", "Normalised grey level non-uniformity"},
            {"V294", "Zone distance non-uniformity"}, {"IATH", "Normalised zone distance non-uniformity"}, {"VIWW", "Zone percentage"},
            {"QK93", "Grey level variance"}, {"7WT1", "Zone distance variance"}, {"GBDU", "Zone distance entropy"}};
    static final String[][] NGLDM_FEATURES = {{"SODN", "Low dependence emphasis"}, {"IMOQ", "High dependence emphasis"},
            {"TL9H", "Low grey level count emphasis"}, {"OAE7", "High grey level count emphasis"},
            {"EQ3F", "Low dependence low grey level emphasis"}, {"JA6D", "Low dependence high grey level emphasis"},
            {"NBZI", "High dependence low grey level emphasis"}, {"9QMG", "High dependence high grey level emphasis"},
            {"FP8K", "Grey level non-uniformity"}, {"5SPA", "Normalised grey level non-uniformity"},
            {"Z87G", "Dependence count non-uniformity"}, {"OKJI", "Normalised dependence count non-uniformity"},
            {"6XV8", "Dependence count percentage"}, {"1PFV", "Grey level variance"}, {"DNX2", "Dependence count variance"},
            {"FCBV", "Dependence count entropy"}, {"CAS9", "Dependence count energy"}};

    private Texture() {
    }

    /** IBSI's aggregation names for GLCM and GLRLM that the settings' list asks for ("3D" alone: 3D, averaged). */
    static Set<String> directional(List<String> asked) {
        Set<String> out = new LinkedHashSet<>();
        for (String a : asked) {
            out.add(a.equals("3D") ? "3D, averaged" : a);
        }
        return out;
    }

    /** IBSI's aggregation names for the other texture families: 2D, 2.5D, 3D. */
    static Set<String> nonDirectional(List<String> asked) {
        Set<String> out = new LinkedHashSet<>();
        for (String a : asked) {
            out.add(a.startsWith("2.5D") ? "2.5D" : a.startsWith("2D") ? "2D" : "3D");
        }
        return out;
    }

    /** The features of {@code families} (a subset of {@link #FAMILIES}), each for every aggregation asked. */
    public static List<FeatureValue> compute(LevelGrid g, Set<String> families, List<String> aggregations, ComputeBackend b) {
        List<FeatureValue> out = new ArrayList<>();
        List<Integer> slices = new ArrayList<>();
        for (int z = 0; z < g.nz(); z++) {
            if (g.count(z, z + 1) > 0) {
                slices.add(z);
            }
        }
        if (families.contains(GLCM)) {
            directionalFamily(out, GLCM, Glcm.FEATURES, directional(aggregations), slices, g,
                    (d, z) -> List.of(b.cooccurrences(g, d, z < 0 ? 0 : z, z < 0 ? g.nz() : z + 1)),
                    (d, zs) -> java.util.Arrays.stream(b.cooccurrenceSlices(g, d, zs)).map(List::of).toList(),
                    Texture::sumDense, m -> Glcm.features(m, g.ng()));
        }
        if (families.contains(GLRLM)) {
            directionalFamily(out, GLRLM, GLRLM_FEATURES, directional(aggregations), slices, g,
                    (d, z) -> List.of(b.runLengths(g, d, z < 0 ? 0 : z, z < 0 ? g.nz() : z + 1)),
                    (d, zs) -> java.util.Arrays.stream(b.runLengthSlices(g, d, zs)).map(List::of).toList(),
                    SparseCounts::merge, m -> RunLike.features(m, false));
        }
        Set<String> nd = nonDirectional(aggregations);
        if (families.contains(GLSZM)) {
            zoneFamily(out, GLSZM, GLSZM_FEATURES, nd, slices, g, (z, threeD) -> b.sizeZones(g, z[0], z[1], threeD),
                    zs -> List.of(b.sizeZoneSlices(g, zs)), SparseCounts::merge, m -> RunLike.features(m, false));
        }
        if (families.contains(GLDZM)) {
            zoneFamily(out, GLDZM, GLDZM_FEATURES, nd, slices, g, (z, threeD) -> b.distanceZones(g, z[0], z[1], threeD),
                    zs -> List.of(b.distanceZoneSlices(g, zs)), SparseCounts::merge, m -> RunLike.features(m, false));
        }
        if (families.contains(NGTDM)) {
            zoneFamily(out, NGTDM, Ngtdm.FEATURES, nd, slices, g,
                    (z, threeD) -> TextureMatrices.toneDifferences(b.toneDifferenceCounts(g, z[0], z[1], threeD), g.ng()),
                    zs -> java.util.Arrays.stream(b.toneDifferenceCountSlices(g, zs)).map(c -> TextureMatrices.toneDifferences(c, g.ng())).toList(),
                    Texture::sumTones, m -> Ngtdm.features(m[0], m[1]));
        }
        if (families.contains(NGLDM)) {
            zoneFamily(out, NGLDM, NGLDM_FEATURES, nd, slices, g, (z, threeD) -> b.dependence(g, z[0], z[1], threeD, 0),
                    zs -> List.of(b.dependenceSlices(g, zs, 0)), SparseCounts::merge, m -> RunLike.features(m, true));
        }
        return out;
    }

    @FunctionalInterface
    private interface DirectionalBuilder<M> {
        /** The matrices for directions {@code dirs}, in order, on slice z (z ≥ 0) or on the whole grid (z = −1). */
        List<M> build(int[][] dirs, int z);
    }

    @FunctionalInterface
    private interface SliceBuilder<M> {
        /** The matrices for directions {@code dirs} on each slice of {@code slices}: [slice][direction]. */
        List<List<M>> build(int[][] dirs, int[] slices);
    }

    @FunctionalInterface
    private interface ZoneBuilder<M> {
        M build(int[] zRange, boolean threeD);
    }

    private static <M> void directionalFamily(List<FeatureValue> out, String family, String[][] names, Set<String> asked, List<Integer> slices,
                                              LevelGrid g, DirectionalBuilder<M> builder, SliceBuilder<M> sliceBuilder,
                                              Function<List<M>, M> merge, Function<M, double[]> features) {
        boolean any2d = asked.stream().anyMatch(a -> a.startsWith("2"));
        // [slice][direction] 2D matrices, and the 13 3D matrices, each built once.
        List<List<M>> perSlice = new ArrayList<>();
        if (any2d) {
            perSlice.addAll(sliceBuilder.build(TextureMatrices.DIRECTIONS_2D, slices.stream().mapToInt(Integer::intValue).toArray()));
        }
        List<M> volume = new ArrayList<>();
        if (asked.stream().anyMatch(a -> a.startsWith("3D"))) {
            volume.addAll(builder.build(TextureMatrices.DIRECTIONS_3D, -1));
        }
        for (String a : asked) {
            List<double[]> values = new ArrayList<>();
            switch (a) {
                case "2D, averaged" -> perSlice.forEach(row -> row.forEach(m -> values.add(features.apply(m))));
                case "2D, slice-merged" -> perSlice.forEach(row -> values.add(features.apply(merge.apply(row))));
                case "2.5D, direction-merged" -> {
                    for (int d = 0; d < TextureMatrices.DIRECTIONS_2D.length; d++) {
                        int dd = d;
                        values.add(features.apply(merge.apply(perSlice.stream().map(row -> row.get(dd)).toList())));
                    }
                }
                case "2.5D, merged" -> values.add(features.apply(merge.apply(perSlice.stream().flatMap(List::stream).toList())));
                case "3D, averaged" -> volume.forEach(m -> values.add(features.apply(m)));
                case "3D, merged" -> values.add(features.apply(merge.apply(volume)));
                default -> throw new IllegalArgumentException("unknown aggregation " + a);
            }
            emit(out, family, names, a, values);
        }
    }

    private static <M> void zoneFamily(List<FeatureValue> out, String family, String[][] names, Set<String> asked, List<Integer> slices,
                                       LevelGrid g, ZoneBuilder<M> builder, Function<List<M>, M> merge, Function<M, double[]> features) {
        zoneFamily(out, family, names, asked, slices, g, builder, zs -> {
            List<M> each = new ArrayList<>();
            for (int z : zs) {
                each.add(builder.build(new int[] {z, z + 1}, false));
            }
            return each;
        }, merge, features);
    }

    /** As above, with the 2D matrices of every slice built by {@code sliceBuilder} at once. */
    private static <M> void zoneFamily(List<FeatureValue> out, String family, String[][] names, Set<String> asked, List<Integer> slices,
                                       LevelGrid g, ZoneBuilder<M> builder, Function<int[], List<M>> sliceBuilder, Function<List<M>, M> merge,
                                       Function<M, double[]> features) {
        List<M> perSlice = new ArrayList<>();
        if (asked.contains("2D") || asked.contains("2.5D")) {
            perSlice.addAll(sliceBuilder.apply(slices.stream().mapToInt(Integer::intValue).toArray()));
        }
        for (String a : asked) {
            List<double[]> values = new ArrayList<>();
            switch (a) {
                case "2D" -> perSlice.forEach(m -> values.add(features.apply(m)));
                case "2.5D" -> values.add(features.apply(merge.apply(perSlice)));
                case "3D" -> values.add(features.apply(builder.build(new int[] {0, g.nz()}, true)));
                default -> throw new IllegalArgumentException("unknown aggregation " + a);
            }
            emit(out, family, names, a, values);
        }
    }

    /** Feature-wise mean of the non-null value sets, leaving out NaN (IBSI averages the features of several matrices). */
    private static void emit(List<FeatureValue> out, String family, String[][] names, String aggregation, List<double[]> values) {
        for (int f = 0; f < names.length; f++) {
            double sum = 0;
            int n = 0;
            for (double[] v : values) {
                if (v != null && !Double.isNaN(v[f])) {
                    sum += v[f];
                    n++;
                }
            }
            out.add(new FeatureValue(names[f][0], family, names[f][1], aggregation, n == 0 ? Double.NaN : sum / n, ""));
        }
    }

    private static long[] sumDense(List<long[]> ms) {
        long[] s = new long[ms.getFirst().length];
        for (long[] m : ms) {
            for (int k = 0; k < s.length; k++) {
                s[k] += m[k];
            }
        }
        return s;
    }

    private static double[][] sumTones(List<double[][]> ms) {
        int ng = ms.getFirst()[0].length;
        double[][] s = new double[2][ng];
        for (double[][] m : ms) {
            for (int i = 0; i < ng; i++) {
                s[0][i] += m[0][i];
                s[1][i] += m[1][i];
            }
        }
        return s;
    }
}
