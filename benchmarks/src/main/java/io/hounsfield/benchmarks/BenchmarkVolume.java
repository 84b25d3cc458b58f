package io.hounsfield.benchmarks;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;

import java.util.SplittableRandom;

/**
 * The radiomics benchmarks' volume: 512 × 512 × 128 int16 at 0.8 × 0.8 × 2.5 mm with an ellipsoidal organ
 * (label 2, radii 100 × 100 × 50 voxels, about 2.1 M voxels) and a lesion (label 1, 30 × 30 × 20 voxels,
 * about 75 k voxels), Gaussian noise with a fixed seed.
 */
public record BenchmarkVolume(Volume image, Mask mask) implements AutoCloseable {

    public static final int LESION = 1, ORGAN = 2;

    public static BenchmarkVolume make() {
        return make(128);
    }

    /** The same anatomy on {@code nz} slices, centred on slice nz / 2 (the benchmarks use 128; 300 the device's end-to-end case). */
    public static BenchmarkVolume make(int nz) {
        return make(512, nz);
    }

    /**
     * The anatomy scaled in every direction by {@code inPlane} / 512 on an {@code inPlane} × {@code inPlane} ×
     * {@code nz} grid (same spacing, centred on slice nz / 2): a small copy for the device harness's dry run on
     * the kernel emulator. {@code make(512, nz)} is {@link #make(int)}.
     */
    public static BenchmarkVolume make(int inPlane, int nz) {
        double f = inPlane / 512.0;
        Geometry g = Geometry.axisAligned(new Extent(inPlane, inPlane, nz), new Vec3(0.8, 0.8, 2.5), Vec3.ZERO);
        Volume image = Volume.allocate(g, VoxelType.INT16);
        Mask mask = Mask.allocate(g);
        SplittableRandom r = new SplittableRandom(1);
        long i = 0;
        double cz = nz / 2.0;
        for (int z = 0; z < nz; z++) {
            for (int y = 0; y < inPlane; y++) {
                for (int x = 0; x < inPlane; x++, i++) {
                    boolean organ = sq((x - 200 * f) / (100 * f)) + sq((y - 256 * f) / (100 * f)) + sq((z - cz) / (50 * f)) <= 1;
                    boolean lesion = sq((x - 380 * f) / (30 * f)) + sq((y - 256 * f) / (30 * f)) + sq((z - cz) / (20 * f)) <= 1;
                    image.set(i, (lesion ? 120 : organ ? 60 : 40) + 15 * r.nextGaussian());
                    mask.set(i, lesion ? LESION : organ ? ORGAN : 0);
                }
            }
        }
        return new BenchmarkVolume(image, mask);
    }

    private static double sq(double v) {
        return v * v;
    }

    @Override
    public void close() {
        image.close();
        mask.close();
    }
}
