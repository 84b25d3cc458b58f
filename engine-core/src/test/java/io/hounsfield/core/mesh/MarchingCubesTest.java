package io.hounsfield.core.mesh;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MarchingCubesTest {

    /** Every directed edge appears once and its reverse once: closed, consistently oriented, no holes. */
    private static void assertWatertight(Mesh m) {
        Map<Long, Integer> directed = new HashMap<>();
        int[] t = m.triangles();
        for (int i = 0; i < t.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                long e = (long) t[i + k] << 32 | t[i + (k + 1) % 3];
                directed.merge(e, 1, Integer::sum);
            }
        }
        for (var e : directed.entrySet()) {
            long rev = (e.getKey() & 0xFFFFFFFFL) << 32 | e.getKey() >>> 32;
            assertThat(e.getValue()).isEqualTo(1);
            assertThat(directed.get(rev)).as("reverse of edge %x", e.getKey()).isEqualTo(1);
        }
    }

    @Test
    void aSingleVoxelIsAnOctahedron() {
        // Mid-edge vertices around one voxel centre: a regular octahedron of "radius" h/2.
        Geometry g = Geometry.axisAligned(new Extent(3, 3, 3), new Vec3(2, 2, 2), Vec3.ZERO);
        try (Mask m = Mask.allocate(g)) {
            m.set(1, 1, 1, 1);
            Mesh mesh = MarchingCubes.of(m, 1);
            assertThat(mesh.vertexCount()).isEqualTo(6);
            assertThat(mesh.triangleCount()).isEqualTo(8);
            assertWatertight(mesh);
            // Octahedron with vertices at distance r = 1 mm: V = 4r³/3, A = 4√3 r².
            assertThat(mesh.volume()).isCloseTo(4.0 / 3, within(1e-12));
            assertThat(mesh.area()).isCloseTo(4 * Math.sqrt(3), within(1e-12));
        }
    }

    @Test
    void randomMasksGiveClosedMeshesAndRotationDoesNotChangeThem() {
        SplittableRandom r = new SplittableRandom(3);
        Geometry axis = Geometry.axisAligned(new Extent(9, 8, 7), new Vec3(0.7, 0.9, 1.3), new Vec3(5, 6, 7));
        Geometry oblique = new Geometry(axis.extent(), axis.spacing(), axis.origin(), Mat3.rotation(new Vec3(1, 2, 3), 0.8));
        for (int round = 0; round < 20; round++) {
            try (Mask a = Mask.allocate(axis); Mask b = Mask.allocate(oblique)) {
                for (long i = 0; i < a.asVolume().voxelCount(); i++) {
                    int v = r.nextInt(3) == 0 ? 1 : 0; // includes every ambiguous configuration sooner or later
                    a.set(i, v);
                    b.set(i, v);
                }
                Mesh ma = MarchingCubes.of(a, 1), mb = MarchingCubes.of(b, 1);
                assertWatertight(ma);
                assertThat(ma.volume()).isPositive();
                assertThat(mb.volume()).isCloseTo(ma.volume(), within(1e-9 * ma.volume()));
                assertThat(mb.area()).isCloseTo(ma.area(), within(1e-9 * ma.area()));
            }
        }
    }
}
