package io.hounsfield.segmentation;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * From per-class probabilities to labels, and the clean-ups segmentation users expect: the largest
 * 26-connected component of each label, and its holes filled (background voxels that no 6-connected
 * background path joins to the volume's border). Filling never overwrites another label.
 */
public final class PostProcessing {

    private PostProcessing() {
    }

    /**
     * Labels 1..K−1 by argmax over the K classes (softmax, none), or, for sigmoid outputs (one channel
     * per foreground label), the most probable label of those above 0.5 (background if none is).
     */
    public static Mask labels(SlidingWindow.Prediction p, ModelDescriptor d) {
        List<Volume> probs = p.probabilities();
        Volume first = probs.getFirst();
        Mask out = Mask.allocate(first.geometry());
        MemorySegment[] s = probs.stream().map(Volume::segment).toArray(MemorySegment[]::new);
        boolean sigmoid = d.activation() == ModelDescriptor.Activation.SIGMOID;
        for (long i = 0; i < first.voxelCount(); i++) {
            int best = 0;
            float bestP = sigmoid ? 0.5f : Float.NEGATIVE_INFINITY;
            for (int c = 0; c < s.length; c++) {
                float v = s[c].getAtIndex(ValueLayout.JAVA_FLOAT, i);
                if (v > bestP) {
                    bestP = v;
                    best = sigmoid ? c + 1 : c;
                }
            }
            if (best > 0) {
                out.set(i, best);
            }
        }
        return out;
    }

    /** Keeps only the largest 26-connected component of {@code label} (ties: the first in index order). */
    public static void largestComponent(Mask m, int label) {
        Extent e = m.geometry().extent();
        int n = (int) e.voxelCount();
        int[] comp = new int[n];
        int[] queue = new int[n];
        int best = 0, bestSize = 0, next = 0;
        for (int i = 0; i < n; i++) {
            if (comp[i] != 0 || m.label(i) != label) {
                continue;
            }
            int id = ++next, size = 0, head = 0, tail = 0;
            comp[i] = id;
            queue[tail++] = i;
            while (head < tail) {
                int v = queue[head++];
                size++;
                int x = v % e.nx(), y = v / e.nx() % e.ny(), z = (int) (v / e.sliceSize());
                for (int dz = -1; dz <= 1; dz++) {
                    for (int dy = -1; dy <= 1; dy++) {
                        for (int dx = -1; dx <= 1; dx++) {
                            int qx = x + dx, qy = y + dy, qz = z + dz;
                            if (e.contains(qx, qy, qz)) {
                                int q = (int) e.index(qx, qy, qz);
                                if (comp[q] == 0 && m.label(q) == label) {
                                    comp[q] = id;
                                    queue[tail++] = q;
                                }
                            }
                        }
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                best = id;
            }
        }
        for (int i = 0; i < n; i++) {
            if (comp[i] != 0 && comp[i] != best) {
                m.set(i, 0);
            }
        }
    }

    /** Fills the holes of {@code label}: background voxels not joined to the border by 6-connected non-label voxels. */
    public static void fillHoles(Mask m, int label) {
        Extent e = m.geometry().extent();
        int n = (int) e.voxelCount();
        boolean[] outside = new boolean[n];
        int[] queue = new int[n];
        int tail = 0;
        for (int i = 0; i < n; i++) {
            int x = i % e.nx(), y = i / e.nx() % e.ny(), z = (int) (i / e.sliceSize());
            boolean border = x == 0 || y == 0 || z == 0 || x == e.nx() - 1 || y == e.ny() - 1 || z == e.nz() - 1;
            if (border && m.label(i) != label) {
                outside[i] = true;
                queue[tail++] = i;
            }
        }
        int[][] faces = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
        for (int head = 0; head < tail; head++) {
            int v = queue[head];
            int x = v % e.nx(), y = v / e.nx() % e.ny(), z = (int) (v / e.sliceSize());
            for (int[] f : faces) {
                int qx = x + f[0], qy = y + f[1], qz = z + f[2];
                if (e.contains(qx, qy, qz)) {
                    int q = (int) e.index(qx, qy, qz);
                    if (!outside[q] && m.label(q) != label) {
                        outside[q] = true;
                        queue[tail++] = q;
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!outside[i] && m.label(i) == 0) {
                m.set(i, label);
            }
        }
    }
}
