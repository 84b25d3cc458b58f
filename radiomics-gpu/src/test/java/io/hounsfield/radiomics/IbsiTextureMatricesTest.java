package io.hounsfield.radiomics;

import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.core.texture.LevelGrid;
import io.hounsfield.core.texture.SparseCounts;
import io.hounsfield.core.texture.TextureMatrices;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The digital phantom's texture matrices, entry for entry, against the tables IBSI publishes in
 * {@code theibsi/ibsi-doc}, {@code docs/06_Digital_phantom_texture_matrices.rst} (commit 11f641c; the
 * numbers are copied below as "i j n" triples, CC BY 4.0, Image Biomarker Standardisation Initiative).
 * The per-slice tables are in slice order (z = 0..3). The captions of IBSI's per-direction tables were
 * garbled in the conversion to reStructuredText (every 2D one says "slice 4 of 4"), so the 13 3D GLCMs
 * are compared as a set.
 */
class IbsiTextureMatricesTest {

    private static LevelGrid grid;

    @BeforeAll
    static void grid() throws java.io.IOException {
        RadiomicsSettings s = ParameterFile.read(ParameterFileTest.EXAMPLES.resolve("ibsi-digital-phantom.yaml"));
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            RoiSample roi = CpuBackend.sequential().sample(p.image(), p.mask(), 1);
            grid = FeatureExtractor.levelGrid(roi, roi, p.image().extent(), io.hounsfield.core.IndexBox.bounding(roi.indices(), p.image().extent()), s);
        }
        assertThat(grid.nz()).isEqualTo(4);
    }

    /** "i j n, i j n, ..." → sorted map "i j" → n. */
    private static TreeMap<String, Double> table(String triples) {
        TreeMap<String, Double> m = new TreeMap<>();
        for (String t : triples.split(",")) {
            String[] f = t.trim().split("\\s+");
            m.put(f[0] + " " + f[1], Double.parseDouble(f[2]));
        }
        return m;
    }

    private static TreeMap<String, Double> dense(long[] counts, int ng) {
        TreeMap<String, Double> m = new TreeMap<>();
        for (int i = 0; i < ng; i++) {
            for (int j = 0; j < ng; j++) {
                if (counts[i * ng + j] != 0) {
                    m.put((i + 1) + " " + (j + 1), (double) counts[i * ng + j]);
                }
            }
        }
        return m;
    }

    private static TreeMap<String, Double> sparse(SparseCounts c) {
        TreeMap<String, Double> m = new TreeMap<>();
        for (int a = 0; a < c.size(); a++) {
            m.put(c.i()[a] + " " + c.j()[a], (double) c.n()[a]);
        }
        return m;
    }

    private static long[] glcm2dMerged(int z) {
        long[] sum = new long[grid.ng() * grid.ng()];
        for (int[] d : TextureMatrices.DIRECTIONS_2D) {
            long[] m = TextureMatrices.cooccurrence(grid, d, z, z + 1);
            for (int k = 0; k < sum.length; k++) {
                sum[k] += m[k];
            }
        }
        return sum;
    }

    @Test
    void glcm2dSliceMerged() {
        String[] ibsi = {
                "1 1 22, 1 4 17, 1 6 6, 4 1 17, 4 4 16, 4 6 11, 6 1 6, 6 4 11, 6 6 4",
                "1 1 42, 1 3 5, 1 4 8, 1 6 8, 3 1 5, 3 4 1, 3 6 2, 4 1 8, 4 3 1, 4 4 4, 4 6 3, 6 1 8, 6 3 2, 6 4 3",
                "1 1 56, 1 4 7, 1 6 4, 4 1 7, 4 4 2, 6 1 4",
                "1 1 70, 1 4 7, 1 6 5, 4 1 7, 4 4 2, 6 1 5"};
        for (int z = 0; z < 4; z++) {
            assertThat(dense(glcm2dMerged(z), grid.ng())).as("slice %d", z + 1).isEqualTo(table(ibsi[z]));
        }
    }

    @Test
    void glcm3dEachDirectionAndMerged() {
        String[] ibsi = {
                "1 1 66, 1 4 5, 1 6 1, 3 6 1, 4 1 5, 4 4 16, 6 1 1, 6 3 1, 6 6 8",
                "1 1 42, 1 3 1, 1 4 9, 1 6 1, 3 1 1, 3 6 1, 4 1 9, 4 4 2, 4 6 2, 6 1 1, 6 3 1, 6 4 2, 6 6 2",
                "1 1 64, 1 4 10, 1 6 1, 3 6 2, 4 1 10, 4 4 6, 4 6 2, 6 1 1, 6 3 2, 6 4 2, 6 6 4",
                "1 1 52, 1 4 8, 3 6 2, 4 1 8, 4 4 2, 4 6 1, 6 3 2, 6 4 1, 6 6 2",
                "1 1 30, 1 3 2, 1 4 7, 1 6 5, 3 1 2, 4 1 7, 4 6 2, 6 1 5, 6 4 2",
                "1 1 32, 1 3 1, 1 4 11, 1 6 8, 3 1 1, 3 4 1, 4 1 11, 4 3 1, 4 4 4, 4 6 2, 6 1 8, 6 4 2",
                "1 1 20, 1 3 1, 1 4 10, 1 6 6, 3 1 1, 3 4 1, 4 1 10, 4 3 1, 4 4 2, 6 1 6",
                "1 1 38, 1 3 1, 1 4 7, 1 6 8, 3 1 1, 3 4 1, 4 1 7, 4 3 1, 4 4 8, 4 6 2, 6 1 8, 6 4 2",
                "1 1 50, 1 3 2, 1 4 10, 1 6 9, 3 1 2, 4 1 10, 4 4 12, 4 6 5, 6 1 9, 6 4 5",
                "1 1 34, 1 3 2, 1 4 8, 1 6 7, 3 1 2, 4 1 8, 4 4 8, 4 6 3, 6 1 7, 6 4 3",
                "1 1 32, 1 3 1, 1 4 6, 1 6 4, 3 1 1, 3 4 1, 4 1 6, 4 3 1, 4 6 3, 6 1 4, 6 4 3",
                "1 1 44, 1 3 2, 1 4 8, 1 6 5, 3 1 2, 4 1 8, 4 4 2, 4 6 5, 6 1 5, 6 4 5",
                "1 1 32, 1 3 1, 1 4 6, 1 6 6, 3 1 1, 3 4 1, 4 1 6, 4 3 1, 4 4 2, 4 6 1, 6 1 6, 6 4 1"};
        List<TreeMap<String, Double>> expected = new ArrayList<>(), got = new ArrayList<>();
        for (String t : ibsi) {
            expected.add(table(t));
        }
        long[] merged = new long[grid.ng() * grid.ng()];
        for (int[] d : TextureMatrices.DIRECTIONS_3D) {
            long[] m = TextureMatrices.cooccurrence(grid, d, 0, grid.nz());
            got.add(dense(m, grid.ng()));
            for (int k = 0; k < m.length; k++) {
                merged[k] += m[k];
            }
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(dense(merged, grid.ng())).isEqualTo(table(
                "1 1 536, 1 3 14, 1 4 105, 1 6 61, 3 1 14, 3 4 5, 3 6 6, 4 1 105, 4 3 5, 4 4 64, 4 6 28, 6 1 61, 6 3 6, 6 4 28, 6 6 16"));
    }

    @Test
    void glrlm2dSliceMergedAnd3dMerged() {
        String[] ibsi = {
                "1 1 16, 1 2 8, 1 4 1, 4 1 17, 4 2 6, 4 3 1, 6 1 9, 6 3 1",
                "1 1 10, 1 2 15, 1 4 2, 3 1 4, 4 1 12, 4 2 2, 6 1 8",
                "1 1 10, 1 2 11, 1 3 5, 1 4 1, 1 5 1, 4 1 6, 4 2 1, 6 1 4",
                "1 1 6, 1 2 9, 1 3 6, 1 4 2, 1 5 2, 4 1 6, 4 2 1, 6 1 4"};
        for (int z = 0; z < 4; z++) {
            List<SparseCounts> parts = new ArrayList<>();
            for (int[] d : TextureMatrices.DIRECTIONS_2D) {
                parts.add(TextureMatrices.runLengths(grid, d, z, z + 1));
            }
            assertThat(sparse(SparseCounts.merge(parts))).as("slice %d", z + 1).isEqualTo(table(ibsi[z]));
        }
        List<SparseCounts> parts = new ArrayList<>();
        for (int[] d : TextureMatrices.DIRECTIONS_3D) {
            parts.add(TextureMatrices.runLengths(grid, d, 0, grid.nz()));
        }
        SparseCounts merged = SparseCounts.merge(parts);
        assertThat(sparse(merged)).isEqualTo(table(
                "1 1 190, 1 2 140, 1 3 31, 1 4 18, 1 5 3, 3 1 13, 4 1 149, 4 2 24, 4 3 1, 4 4 2, 6 1 78, 6 2 3, 6 3 1, 6 4 1"));
        assertThat(merged.voxels()).as("IBSI: N_v of a merged matrix is the sum of its parts'").isEqualTo(13 * 74L);
    }

    @Test
    void glszmAndGldzm() {
        String[] sizes = {"1 3 1, 1 6 1, 4 2 1, 4 6 1, 6 3 1", "1 4 1, 1 8 1, 3 1 1, 4 2 2, 6 1 2", "1 14 1, 4 2 1, 6 1 1", "1 15 1, 4 2 1, 6 1 1"};
        String[] distances = {"1 1 2, 4 1 2, 6 1 1", "1 1 2, 3 2 1, 4 1 2, 6 1 1, 6 2 1", "1 1 1, 4 1 1, 6 1 1", "1 1 1, 4 1 1, 6 1 1"};
        for (int z = 0; z < 4; z++) {
            assertThat(sparse(TextureMatrices.sizeZones(grid, z, z + 1, false))).as("GLSZM slice %d", z + 1).isEqualTo(table(sizes[z]));
            assertThat(sparse(TextureMatrices.distanceZones(grid, z, z + 1, false))).as("GLDZM slice %d", z + 1).isEqualTo(table(distances[z]));
        }
        assertThat(sparse(TextureMatrices.sizeZones(grid, 0, 4, true))).isEqualTo(table("1 50 1, 3 1 1, 4 2 1, 4 14 1, 6 7 1"));
        assertThat(sparse(TextureMatrices.distanceZones(grid, 0, 4, true))).isEqualTo(table("1 1 1, 3 1 1, 4 1 2, 6 1 1"));
    }

    @Test
    void ngtdm() {
        String[] ibsi = {"1 14.575 9, 4 5.775 8, 6 7.325 3", "1 11.928571 12, 3 0.375 1, 4 4.8 4, 6 8.0 2",
                "1 7.985714 14, 4 4.65 2, 6 5.0 1", "1 7.582143 15, 4 4.65 2, 6 5.0 1"};
        for (int z = 0; z < 4; z++) {
            check(TextureMatrices.toneDifferences(grid, z, z + 1, false), ibsi[z]);
        }
        check(TextureMatrices.toneDifferences(grid, 0, 4, true), "1 39.946954 50, 3 0.2 1, 4 20.825401 16, 6 24.127005 7");
    }

    /** IBSI lists s to 6 decimals: equal within 5e-7; n exactly; levels without voxels absent. */
    private static void check(double[][] sn, String triples) {
        TreeMap<String, Double> got = new TreeMap<>();
        for (String t : triples.split(",")) {
            String[] f = t.trim().split("\\s+");
            int i = Integer.parseInt(f[0]);
            assertThat(sn[0][i - 1]).as("s of level %d", i).isCloseTo(Double.parseDouble(f[1]), within(5e-7));
            assertThat(sn[1][i - 1]).as("n of level %d", i).isEqualTo(Double.parseDouble(f[2]));
            got.put(f[0], 1.0);
        }
        for (int i = 1; i <= sn[1].length; i++) {
            if (!got.containsKey(String.valueOf(i))) {
                assertThat(sn[1][i - 1]).as(String.format(Locale.ROOT, "n of level %d", i)).isZero();
            }
        }
    }

    @Test
    void ngldm() {
        String[] ibsi = {
                "1 2 3, 1 3 1, 1 4 3, 1 5 2, 4 2 2, 4 3 4, 4 4 2, 6 2 2, 6 3 1",
                "1 3 2, 1 4 6, 1 6 4, 3 1 1, 4 2 4, 6 1 2",
                "1 3 1, 1 4 5, 1 5 3, 1 6 3, 1 7 2, 4 2 2, 6 1 1",
                "1 3 1, 1 4 3, 1 5 3, 1 6 4, 1 7 1, 1 8 3, 4 2 2, 6 1 1"};
        for (int z = 0; z < 4; z++) {
            assertThat(sparse(TextureMatrices.dependence(grid, z, z + 1, false, 0))).as("slice %d", z + 1).isEqualTo(table(ibsi[z]));
        }
        assertThat(sparse(TextureMatrices.dependence(grid, 0, 4, true, 0))).isEqualTo(table(
                "1 5 2, 1 6 2, 1 7 1, 1 8 6, 1 9 4, 1 10 6, 1 11 5, 1 12 5, 1 13 3, 1 14 2, 1 15 5, 1 16 3, 1 17 3, 1 18 2, 1 21 1, "
                        + "3 1 1, 4 2 2, 4 4 2, 4 5 6, 4 6 4, 4 7 2, 6 2 1, 6 3 4, 6 4 1, 6 5 1"));
    }
}
