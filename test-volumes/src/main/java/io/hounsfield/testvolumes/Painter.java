package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Tasks;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Fills an image and a mask from regions, voxel centre by voxel centre. Later layers paint over
 * earlier ones; labels are decided by their own regions, so a label's truth never depends on paint
 * order. Noise is Gaussian, drawn from one generator per slice seeded from (seed, z), and slices are
 * independent tasks: the voxels are the same for a given seed whatever the executor and thread count.
 */
final class Painter {

    record Layer(Region region, double value) {
    }

    record Label(int label, Region region) {
    }

    /** What to paint: background, layers (last wins), labels (first wins), a multiplicative gain field, noise. */
    record Scene(double background, List<Layer> layers, List<Label> labels, ToDoubleFunction<Vec3> gain,
                 double noiseSigma, long seed) {
    }

    private Painter() {
    }

    /**
     * Allocates image and mask on {@code g}, paints them slice by slice on {@code executor}, and hands
     * both to a new phantom; frees both on failure.
     */
    static Phantom phantom(String name, Geometry g, VoxelType type, Scene scene, Executor executor,
                           ProgressListener progress, List<RoiTruth> truths) {
        Volume image = Volume.allocate(g, type);
        Mask mask = null;
        try {
            mask = Mask.allocate(g);
            paint(image, mask, scene, executor, "generate " + name + " phantom", progress);
            return new Phantom(name, image, mask, truths);
        } catch (RuntimeException | Error e) {
            image.close();
            if (mask != null) {
                mask.close();
            }
            throw e;
        }
    }

    static void paint(Volume image, Mask mask, Scene scene, Executor executor, String task, ProgressListener progress) {
        int nz = image.extent().nz();
        AtomicInteger done = new AtomicInteger();
        List<CompletableFuture<Void>> slices = new ArrayList<>(nz);
        for (int z = 0; z < nz; z++) {
            int slice = z;
            slices.add(CompletableFuture.runAsync(() -> {
                paintSlice(image, mask, scene, slice);
                progress.update(task, done.incrementAndGet(), nz);
            }, executor));
        }
        Tasks.joinAll(slices);
    }

    private static void paintSlice(Volume image, Mask mask, Scene s, int z) {
        Geometry g = image.geometry();
        Extent e = g.extent();
        SplittableRandom rnd = new SplittableRandom(s.seed() * 0x9E3779B97F4A7C15L + z);
        List<Layer> layers = s.layers();
        long i = e.index(0, 0, z);
        for (int y = 0; y < e.ny(); y++) {
            for (int x = 0; x < e.nx(); x++, i++) {
                Vec3 p = g.indexToWorld(x, y, z);
                double v = s.background();
                for (int k = layers.size() - 1; k >= 0; k--) {
                    if (layers.get(k).region().contains(p)) {
                        v = layers.get(k).value();
                        break;
                    }
                }
                v *= s.gain().applyAsDouble(p);
                if (s.noiseSigma() > 0) {
                    v += s.noiseSigma() * rnd.nextGaussian();
                }
                image.set(i, v);
                for (Label l : s.labels()) {
                    if (l.region().contains(p)) {
                        mask.set(i, l.label());
                        break;
                    }
                }
            }
        }
    }
}
