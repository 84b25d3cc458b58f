package io.hounsfield.core.mesh;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The surface's counts against the surface itself ({@link MarchingCubes#of}, built triangle by triangle). */
class SurfaceCountsTest {

    @Test
    void aSingleVoxelIsAnOctahedron() {
        Geometry g = Geometry.axisAligned(new Extent(3, 3, 3), new Vec3(2, 2, 2), Vec3.ZERO);
        try (Mask m = Mask.allocate(g)) {
            m.set(1, 1, 1, 1);
            SurfaceCounts c = MarchingCubes.counts(m, 1, m.boundingBox(1).orElseThrow());
            // Eight cubes around the voxel, each with one inside corner, one of each configuration.
            assertThat(java.util.Arrays.stream(c.configs()).sum()).isEqualTo(8);
            for (int k = 0; k < 8; k++) {
                assertThat(c.configs()[1 << (7 - k)]).isEqualTo(1);
            }
            SurfaceMeasures s = c.measure(g);
            assertThat(s.volume()).isCloseTo(4.0 / 3, within(1e-12));
            assertThat(s.area()).isCloseTo(4 * Math.sqrt(3), within(1e-12));
            assertThat(c.extremeCount()).isEqualTo(6); // the octahedron's six vertices, each ending its row
            assertThat(s.hullCandidates()).containsExactly(2, 2, 1, 2, 1, 2, 1, 2, 2, 3, 2, 2, 2, 3, 2, 2, 2, 3);
        }
    }

    @Test
    void anEmptyLabelHasNoSurface() {
        Geometry g = Geometry.axisAligned(new Extent(4, 4, 4), new Vec3(1, 1, 1), Vec3.ZERO);
        try (Mask m = Mask.allocate(g)) {
            SurfaceCounts c = MarchingCubes.counts(m, 1, IndexBox.of(g.extent()));
            assertThat(c).isEqualTo(SurfaceCounts.empty());
            assertThat(c.measure(g).area()).isZero();
            assertThat(c.measure(g).volume()).isZero();
        }
    }

    @Test
    void areaVolumeAndRowEndsMatchTheBuiltSurfaceOnRandomMasks() {
        SplittableRandom r = new SplittableRandom(20261129);
        for (int round = 0; round < 40; round++) {
            Extent e = new Extent(3 + r.nextInt(10), 3 + r.nextInt(10), 2 + r.nextInt(8));
            Vec3 spacing = new Vec3(0.5 + r.nextDouble(), 0.5 + r.nextDouble(), 0.5 + 3 * r.nextDouble());
            Geometry g = round % 2 == 0 ? Geometry.axisAligned(e, spacing, new Vec3(-100, 20, 7))
                    : new Geometry(e, spacing, new Vec3(3, -4, 5), Mat3.rotation(new Vec3(r.nextDouble(), 1, 2), r.nextDouble() * 3));
            double fill = 0.2 + 0.6 * r.nextDouble();
            try (Mask m = Mask.allocate(g)) {
                for (long i = 0; i < e.voxelCount(); i++) {
                    m.set(i, r.nextDouble() < fill ? 1 : r.nextInt(3) == 0 ? 2 : 0);
                }
                if (m.boundingBox(1).isEmpty()) {
                    continue;
                }
                IndexBox box = m.boundingBox(1).orElseThrow();
                Mesh mesh = MarchingCubes.of(m, 1, box);
                SurfaceCounts c = MarchingCubes.counts(m, 1, box);
                SurfaceMeasures s = c.measure(g);
                assertThat(s.volume()).isCloseTo(mesh.volume(), within(1e-10 * mesh.volume()));
                assertThat(s.area()).isCloseTo(mesh.area(), within(1e-10 * mesh.area()));
                assertThat(java.util.Arrays.stream(c.configs()).sum()).isPositive();
                assertThat(rowEnds(c, g)).isEqualTo(rowEndsOf(mesh, g));
                // A larger box (the whole grid) gives the same counts: the padding only adds empty cubes.
                assertThat(MarchingCubes.counts(m, 1, IndexBox.of(e))).isEqualTo(c);
            }
        }
    }

    /** The counts' row ends as "X,Y,Z" strings. */
    private static Set<String> rowEnds(SurfaceCounts c, Geometry g) {
        Set<String> out = new HashSet<>();
        int[] x = c.extremes();
        for (int k = 0; k < x.length; k += 3) {
            out.add(x[k] + "," + x[k + 1] + "," + x[k + 2]);
        }
        assertThat(out).hasSize(c.extremeCount());
        return out;
    }

    /**
     * The vertices of the convex outline of the built mesh's vertices on each plane of constant Z (found from
     * their world positions), by gift wrapping: from the lowest point, the next outline vertex is the one with
     * every other point to its left, the farthest of any collinear ones.
     */
    private static Set<String> rowEndsOf(Mesh mesh, Geometry g) {
        TreeMap<Integer, Set<List<Integer>>> planes = new TreeMap<>();
        double[] v = mesh.vertices();
        for (int i = 0; i < v.length; i += 3) {
            Vec3 q = g.worldToIndex(new Vec3(v[i], v[i + 1], v[i + 2]));
            int x = (int) Math.round(2 * q.x()), y = (int) Math.round(2 * q.y()), z = (int) Math.round(2 * q.z());
            planes.computeIfAbsent(z, k -> new HashSet<>()).add(List.of(x, y));
        }
        Set<String> out = new HashSet<>();
        planes.forEach((z, set) -> {
            List<List<Integer>> pts = new ArrayList<>(set);
            List<Integer> first = pts.stream().min(Comparator.<List<Integer>>comparingInt(a -> a.get(1)).thenComparingInt(a -> a.get(0))).orElseThrow();
            List<Integer> at = first;
            do {
                out.add(at.get(0) + "," + at.get(1) + "," + z);
                List<Integer> next = null;
                for (List<Integer> c : pts) {
                    if (c.equals(at)) {
                        continue;
                    }
                    if (next == null) {
                        next = c;
                        continue;
                    }
                    long cross = (long) (next.get(0) - at.get(0)) * (c.get(1) - at.get(1)) - (long) (next.get(1) - at.get(1)) * (c.get(0) - at.get(0));
                    long dn = sq(next.get(0) - at.get(0)) + sq(next.get(1) - at.get(1)), dc = sq(c.get(0) - at.get(0)) + sq(c.get(1) - at.get(1));
                    if (cross < 0 || cross == 0 && dc > dn) {
                        next = c;
                    }
                }
                at = next;
            } while (at != null && !at.equals(first));
        });
        return out;
    }

    private static long sq(long a) {
        return a * a;
    }
}
