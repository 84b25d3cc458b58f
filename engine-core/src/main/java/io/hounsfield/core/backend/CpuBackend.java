package io.hounsfield.core.backend;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.IndexBox;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Tasks;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.mesh.MarchingCubes;
import io.hounsfield.core.mesh.Mesh;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;

/**
 * The reference backend: off-heap volumes on all cores. Work is cut into z-slabs run on the injected
 * executor; partial results are joined in slab order, and every sum runs over a fixed sequence of
 * voxels, so results are bit-identical for any number of threads. Thread-safe; owns no threads.
 */
public final class CpuBackend implements ComputeBackend {

    private final Executor executor;
    private final int slabs;

    /**
     * @param executor runs the slab tasks (the caller owns it)
     * @param slabs    how many slabs to cut a volume into (≥ 1); more than the thread count balances load
     */
    public CpuBackend(Executor executor, int slabs) {
        if (slabs < 1) {
            throw new IllegalArgumentException("slabs must be >= 1, got " + slabs);
        }
        this.executor = executor;
        this.slabs = slabs;
    }

    /** One thread, one slab: the plain sequential reference. */
    public static CpuBackend sequential() {
        return new CpuBackend(Runnable::run, 1);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public RoiSample sample(Volume image, Mask mask, int label, IndexBox box) {
        if (!image.geometry().sameGrid(mask.geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.extent() + " and mask " + mask.geometry().extent() + " are not on the same grid");
        }
        Extent e = image.extent();
        int w = box.x1() - box.x0();
        List<RoiSample> parts = perSlab(box.z1() - box.z0(), (za, zb) -> {
            int n = 0;
            for (int z = box.z0() + za; z < box.z0() + zb; z++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    long row = e.index(box.x0(), y, z);
                    for (int x = 0; x < w; x++) {
                        if (mask.label(row + x) == label) {
                            n++;
                        }
                    }
                }
            }
            double[] v = new double[n];
            long[] idx = new long[n];
            int k = 0;
            for (int z = box.z0() + za; z < box.z0() + zb; z++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    long row = e.index(box.x0(), y, z);
                    for (int x = 0; x < w; x++) {
                        if (mask.label(row + x) == label) {
                            v[k] = image.get(row + x);
                            idx[k++] = row + x;
                        }
                    }
                }
            }
            return new RoiSample(v, idx);
        });
        int total = parts.stream().mapToInt(RoiSample::size).sum();
        double[] v = new double[total];
        long[] idx = new long[total];
        int at = 0;
        for (RoiSample p : parts) {
            System.arraycopy(p.intensities(), 0, v, at, p.size());
            System.arraycopy(p.indices(), 0, idx, at, p.size());
            at += p.size();
        }
        return new RoiSample(v, idx);
    }

    /**
     * Sums over the sphere as chords along x: for every (dy, dz) the sphere covers a run of x offsets,
     * whose sum comes from per-row prefix sums of the block around the centres. Cost per centre: the
     * number of chords (~ r² / (sy·sz)), not of voxels (~ r³).
     */
    @Override
    public double[] sphereMeans(Volume image, long[] centres, double radiusMm) {
        Geometry g = image.geometry();
        Extent e = g.extent();
        Vec3 s = g.spacing();
        if (centres.length == 0) {
            return new double[0];
        }
        int ry = (int) Math.floor(radiusMm / s.y() + 1e-9), rz = (int) Math.floor(radiusMm / s.z() + 1e-9);
        List<int[]> chords = new ArrayList<>(); // dy, dz, half-width in x
        for (int dz = -rz; dz <= rz; dz++) {
            for (int dy = -ry; dy <= ry; dy++) {
                double rest = radiusMm * radiusMm * (1 + 1e-12) - sq(dy * s.y()) - sq(dz * s.z());
                if (rest >= 0) {
                    chords.add(new int[] {dy, dz, (int) Math.floor(Math.sqrt(rest) / s.x() + 1e-9)});
                }
            }
        }
        // The block of rows any chord can touch: the centres' box grown by the radius, clipped to the image.
        int y0 = Integer.MAX_VALUE, y1 = -1, z0 = Integer.MAX_VALUE, z1 = -1;
        for (long i : centres) {
            int y = (int) (i / e.nx() % e.ny()), z = (int) (i / e.sliceSize());
            y0 = Math.min(y0, y);
            y1 = Math.max(y1, y);
            z0 = Math.min(z0, z);
            z1 = Math.max(z1, z);
        }
        int by0 = Math.max(0, y0 - ry), by1 = Math.min(e.ny() - 1, y1 + ry);
        int bz0 = Math.max(0, z0 - rz), bz1 = Math.min(e.nz() - 1, z1 + rz);
        int nx = e.nx(), rowsY = by1 - by0 + 1;
        double[] prefix = new double[(bz1 - bz0 + 1) * rowsY * (nx + 1)];
        perSlab(bz1 - bz0 + 1, (za, zb) -> {
            for (int z = za; z < zb; z++) {
                for (int y = 0; y < rowsY; y++) {
                    int base = (z * rowsY + y) * (nx + 1);
                    long src = e.index(0, by0 + y, bz0 + z);
                    double acc = 0;
                    for (int x = 0; x < nx; x++) {
                        acc += image.get(src + x);
                        prefix[base + x + 1] = acc;
                    }
                }
            }
            return null;
        });
        double[] out = new double[centres.length];
        int chunk = Math.max(1, (centres.length + slabs - 1) / slabs);
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int start = 0; start < centres.length; start += chunk) {
            int a = start, b = Math.min(centres.length, start + chunk);
            tasks.add(CompletableFuture.runAsync(() -> {
                for (int c = a; c < b; c++) {
                    long i = centres[c];
                    int x = (int) (i % nx), y = (int) (i / nx % e.ny()), z = (int) (i / e.sliceSize());
                    double sum = 0;
                    long n = 0;
                    for (int[] ch : chords) {
                        int py = y + ch[0], pz = z + ch[1];
                        if (py < 0 || py >= e.ny() || pz < 0 || pz >= e.nz()) {
                            continue;
                        }
                        int xa = Math.max(0, x - ch[2]), xb = Math.min(nx - 1, x + ch[2]);
                        int base = ((pz - bz0) * rowsY + (py - by0)) * (nx + 1);
                        sum += prefix[base + xb + 1] - prefix[base + xa];
                        n += xb - xa + 1;
                    }
                    out[c] = sum / n;
                }
            }, executor));
        }
        Tasks.joinAll(tasks);
        return out;
    }

    @Override
    public Volume resample(Volume image, Geometry target, Interpolation interpolation) {
        Geometry src = image.geometry();
        Extent se = src.extent(), te = target.extent();
        Volume out = Volume.allocate(target, io.hounsfield.core.VoxelType.FLOAT32);
        try {
            perSlab(te.nz(), (z0, z1) -> {
                for (int z = z0; z < z1; z++) {
                    for (int y = 0; y < te.ny(); y++) {
                        for (int x = 0; x < te.nx(); x++) {
                            Vec3 q = src.worldToIndex(target.indexToWorld(x, y, z));
                            out.set(te.index(x, y, z), sampleAt(image, se, q, interpolation));
                        }
                    }
                }
                return null;
            });
            return out;
        } catch (RuntimeException | Error e) {
            out.close();
            throw e;
        }
    }

    private static double sampleAt(Volume v, Extent e, Vec3 q, Interpolation m) {
        double x = clamp(q.x(), e.nx() - 1), y = clamp(q.y(), e.ny() - 1), z = clamp(q.z(), e.nz() - 1);
        return switch (m) {
            case NEAREST -> v.get(e.index((int) Math.round(x), (int) Math.round(y), (int) Math.round(z)));
            case TRILINEAR -> {
                int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y), z0 = (int) Math.floor(z);
                double fx = x - x0, fy = y - y0, fz = z - z0, s = 0;
                for (int k = 0; k < 8; k++) {
                    int dx = k & 1, dy = k >> 1 & 1, dz = k >> 2 & 1;
                    double w = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy) * (dz == 1 ? fz : 1 - fz);
                    if (w != 0) {
                        s += w * v.get(e.index(Math.min(x0 + dx, e.nx() - 1), Math.min(y0 + dy, e.ny() - 1), Math.min(z0 + dz, e.nz() - 1)));
                    }
                }
                yield s;
            }
            case TRICUBIC -> {
                int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y), z0 = (int) Math.floor(z);
                double[] wx = keys(x - x0), wy = keys(y - y0), wz = keys(z - z0);
                double s = 0;
                for (int k = 0; k < 4; k++) {
                    int zz = Math.max(0, Math.min(e.nz() - 1, z0 - 1 + k));
                    for (int j = 0; j < 4; j++) {
                        int yy = Math.max(0, Math.min(e.ny() - 1, y0 - 1 + j));
                        for (int i = 0; i < 4; i++) {
                            int xx = Math.max(0, Math.min(e.nx() - 1, x0 - 1 + i));
                            s += wx[i] * wy[j] * wz[k] * v.get(e.index(xx, yy, zz));
                        }
                    }
                }
                yield s;
            }
        };
    }

    private static double clamp(double c, int max) {
        return Math.max(0, Math.min(max, c));
    }

    /** Keys' cubic convolution weights (a = −0.5) for the four samples around fraction t. */
    private static double[] keys(double t) {
        double[] w = new double[4];
        for (int i = 0; i < 4; i++) {
            double d = Math.abs(t - (i - 1));
            w[i] = d <= 1 ? 1.5 * d * d * d - 2.5 * d * d + 1 : d < 2 ? -0.5 * d * d * d + 2.5 * d * d - 4 * d + 2 : 0;
        }
        return w;
    }

    /** Sequential for now: the mesh of a large organ takes tens of milliseconds (see benchmarks). */
    @Override
    public Mesh mesh(Mask mask, int label) {
        return MarchingCubes.of(mask, label);
    }

    private static double sq(double v) {
        return v * v;
    }

    @FunctionalInterface
    private interface SlabTask<T> {
        T run(int z0, int z1);
    }

    /** Runs {@code task} on each z-slab and returns the results in slab order. */
    private <T> List<T> perSlab(int nz, SlabTask<T> task) {
        int n = Math.min(slabs, nz);
        List<CompletableFuture<T>> futures = new ArrayList<>(n);
        IntFunction<Integer> bound = k -> (int) ((long) nz * k / n);
        for (int k = 0; k < n; k++) {
            int z0 = bound.apply(k), z1 = bound.apply(k + 1);
            futures.add(CompletableFuture.supplyAsync(() -> task.run(z0, z1), executor));
        }
        Tasks.joinAll(futures);
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
