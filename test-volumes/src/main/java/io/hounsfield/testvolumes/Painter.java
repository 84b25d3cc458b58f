package io.hounsfield.testvolumes;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Fills an image and a mask from regions, voxel centre by voxel centre. Later layers paint over
 * earlier ones; labels are decided by their own regions, so a label's truth never depends on paint
 * order. Noise is Gaussian, drawn from one generator per slice seeded from (seed, z): the result is
 * the same for a given seed whatever the order slices are filled in.
 */
final class Painter {

    record Layer(Region region, double value) {
    }

    record Label(int label, Region region) {
    }

    private Painter() {
    }

    /** Allocates image and mask on {@code g}, paints them, and hands both to a new phantom; frees both on failure. */
    static Phantom phantom(String name, Geometry g, VoxelType type, double background, List<Layer> layers, List<Label> labels,
                           ToDoubleFunction<Vec3> gain, double noiseSigma, long seed, ProgressListener progress,
                           List<RoiTruth> truths) {
        Volume image = Volume.allocate(g, type);
        Mask mask = null;
        try {
            mask = Mask.allocate(g);
            paint(image, mask, background, layers, labels, gain, noiseSigma, seed, "generate " + name + " phantom", progress);
            return new Phantom(name, image, mask, truths);
        } catch (RuntimeException | Error e) {
            image.close();
            if (mask != null) {
                mask.close();
            }
            throw e;
        }
    }

    static void paint(Volume image, Mask mask, double background, List<Layer> layers, List<Label> labels,
                      ToDoubleFunction<Vec3> gain, double noiseSigma, long seed, String task, ProgressListener progress) {
        Geometry g = image.geometry();
        Extent e = g.extent();
        long i = 0;
        for (int z = 0; z < e.nz(); z++) {
            SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + z);
            for (int y = 0; y < e.ny(); y++) {
                for (int x = 0; x < e.nx(); x++, i++) {
                    Vec3 p = g.indexToWorld(x, y, z);
                    double v = background;
                    for (int k = layers.size() - 1; k >= 0; k--) {
                        if (layers.get(k).region().contains(p)) {
                            v = layers.get(k).value();
                            break;
                        }
                    }
                    v *= gain.applyAsDouble(p);
                    if (noiseSigma > 0) {
                        v += noiseSigma * rnd.nextGaussian();
                    }
                    image.set(i, v);
                    for (Label l : labels) {
                        if (l.region().contains(p)) {
                            mask.set(i, l.label());
                            break;
                        }
                    }
                }
            }
            progress.update(task, z + 1, e.nz());
        }
    }
}
