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

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.IntFunction;

/**
 * The reference backend: off-heap volumes on all cores. Work is cut into z-slabs run on the injected
 * executor; partial results are joined in slab order, and every sum runs over a fixed sequence of
 * voxels, so results are bit-identical for any number of threads. Thread-safe; owns no threads.
 */
public final class CpuBackend implements ComputeBackend {

    private static final long PAIRS_PER_CHUNK = 1 << 20;

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
        int w = box.x1() - box.x0(), nz = box.z1() - box.z0();
        MemorySegment labels = mask.asVolume().segment();
        byte b = (byte) label;
        // Each slab counts its voxels, then writes them at its offset into the one result (no per-slab copies).
        List<Integer> counts = perSlab(nz, (za, zb) -> {
            int n = 0;
            for (int z = box.z0() + za; z < box.z0() + zb; z++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    long row = e.index(box.x0(), y, z);
                    for (int x = 0; x < w; x++) {
                        n += labels.get(ValueLayout.JAVA_BYTE, row + x) == b ? 1 : 0;
                    }
                }
            }
            return n;
        });
        int[] offset = new int[counts.size()]; // slab k's first position in the result
        int total = 0;
        for (int k = 0; k < offset.length; k++) {
            offset[k] = total;
            total += counts.get(k);
        }
        double[] v = new double[total];
        long[] idx = new long[total];
        perSlab(nz, (slab, za, zb) -> {
            int k = offset[slab];
            for (int z = box.z0() + za; z < box.z0() + zb; z++) {
                for (int y = box.y0(); y < box.y1(); y++) {
                    long row = e.index(box.x0(), y, z);
                    for (int x = 0; x < w; x++) {
                        if (labels.get(ValueLayout.JAVA_BYTE, row + x) == b) {
                            v[k] = image.get(row + x);
                            idx[k++] = row + x;
                        }
                    }
                }
            }
            return null;
        });
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
        if (centres.length == 0) {
            return new double[0];
        }
        SphereLayout L = SphereLayout.of(g, centres, radiusMm);
        int[] cy = L.cy(), cz = L.cz(), half = L.half(), rowOffset = L.rowOffset();
        int nc = L.nc(), rx = L.rx(), ry = L.ry(), rz = L.rz(), interiorCount = L.interior();
        int bx0 = L.bx0(), by0 = L.by0(), bz0 = L.bz0(), w = L.w(), rowsY = L.rowsY(), stride = L.stride();
        // prefix[row · (w + 1) + k] = sum of the row's first k voxels of the block.
        double[] prefix = new double[L.rowsZ() * rowsY * stride];
        perSlab(L.rowsZ(), (za, zb) -> {
            for (int z = za; z < zb; z++) {
                for (int y = 0; y < rowsY; y++) {
                    int base = (z * rowsY + y) * stride;
                    long src = e.index(bx0, by0 + y, bz0 + z);
                    double acc = 0;
                    for (int x = 0; x < w; x++) {
                        acc += image.get(src + x);
                        prefix[base + x + 1] = acc;
                    }
                }
            }
            return null;
        });
        int nx = e.nx(), ny = e.ny(), nz = e.nz();
        double[] out = new double[centres.length];
        int chunk = Math.max(1, (centres.length + slabs - 1) / slabs);
        List<CompletableFuture<Void>> tasks = new ArrayList<>();
        for (int start = 0; start < centres.length; start += chunk) {
            int a = start, b = Math.min(centres.length, start + chunk);
            int rxf = rx, chordCount = nc, interiorN = interiorCount;
            tasks.add(CompletableFuture.runAsync(() -> {
                for (int c = a; c < b; c++) {
                    long i = centres[c];
                    int x = (int) (i % nx), y = (int) (i / nx % ny), z = (int) (i / e.sliceSize());
                    int row = ((z - bz0) * rowsY + (y - by0)) * stride, bx = x - bx0;
                    double sum = 0;
                    if (x - rxf >= 0 && x + rxf < nx && y - ry >= 0 && y + ry < ny && z - rz >= 0 && z + rz < nz) {
                        // The whole sphere is inside the image: no clipping, a fixed voxel count.
                        for (int k = 0; k < chordCount; k++) {
                            int at = row + rowOffset[k] + bx;
                            sum += prefix[at + half[k] + 1] - prefix[at - half[k]];
                        }
                        out[c] = sum / interiorN;
                        continue;
                    }
                    long n = 0;
                    for (int k = 0; k < chordCount; k++) {
                        int py = y + cy[k], pz = z + cz[k];
                        if (py < 0 || py >= ny || pz < 0 || pz >= nz) {
                            continue;
                        }
                        int xa = Math.max(0, x - half[k]), xb = Math.min(nx - 1, x + half[k]);
                        int at = row + rowOffset[k] - bx0;
                        sum += prefix[at + xb + 1] - prefix[at + xa];
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
        return resample(image, target, interpolation, IndexBox.of(target.extent()));
    }

    @Override
    public Volume resample(Volume image, Geometry target, Interpolation interpolation, IndexBox block) {
        Extent se = image.extent();
        double[] m = Resampling.indexMap(image.geometry(), target);
        Source src = Source.of(image::get, se, m, block);
        return overBlock(m, target, block, g -> Volume.allocate(g, io.hounsfield.core.VoxelType.FLOAT32),
                out -> (i, q) -> out.set(i, sampleAt(src, se, q, interpolation)));
    }

    /**
     * The source values a resampling of one block reads: copied once, as doubles, over the source box its
     * samples can reach (the block's corners mapped — an affine map's extremes — grown by the tricubic
     * neighbours and a voxel for rounding) when that box is small enough, else read in place. The values are
     * the same either way.
     */
    private static final class Source {
        /** Boxes up to this many voxels (64 MB of doubles) are copied. */
        private static final long COPY_LIMIT = 1 << 23;

        private final java.util.function.LongToDoubleFunction read;
        private final Extent e;
        private final double[] box; // null: read in place
        private final int bx, by, bz, bnx, bny;

        private Source(java.util.function.LongToDoubleFunction read, Extent e, double[] box, IndexBox at) {
            this.read = read;
            this.e = e;
            this.box = box;
            this.bx = at.x0();
            this.by = at.y0();
            this.bz = at.z0();
            this.bnx = at.x1() - at.x0();
            this.bny = at.y1() - at.y0();
        }

        static Source of(java.util.function.LongToDoubleFunction read, Extent e, double[] m, IndexBox block) {
            double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE}, hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
            for (int c = 0; c < 8; c++) {
                int x = (c & 1) == 0 ? block.x0() : block.x1() - 1, y = (c >> 1 & 1) == 0 ? block.y0() : block.y1() - 1;
                int z = (c >> 2 & 1) == 0 ? block.z0() : block.z1() - 1;
                for (int r = 0; r < 3; r++) {
                    double q = m[4 * r] * x + m[4 * r + 1] * y + m[4 * r + 2] * z + m[4 * r + 3];
                    lo[r] = Math.min(lo[r], q);
                    hi[r] = Math.max(hi[r], q);
                }
            }
            int[] n = {e.nx(), e.ny(), e.nz()}, from = new int[3], to = new int[3];
            for (int r = 0; r < 3; r++) {
                from[r] = (int) Math.max(0, Math.min(n[r] - 1, Math.floor(lo[r]) - 2));
                to[r] = (int) Math.max(from[r] + 1, Math.min(n[r], Math.floor(hi[r]) + 4));
            }
            IndexBox reach = new IndexBox(from[0], from[1], from[2], to[0], to[1], to[2]);
            if (reach.extent().voxelCount() > COPY_LIMIT) {
                return new Source(read, e, null, IndexBox.of(e));
            }
            double[] box = new double[(int) reach.extent().voxelCount()];
            int k = 0;
            for (int z = reach.z0(); z < reach.z1(); z++) {
                for (int y = reach.y0(); y < reach.y1(); y++) {
                    long row = e.index(reach.x0(), y, z);
                    for (int x = 0; x < reach.x1() - reach.x0(); x++) {
                        box[k++] = read.applyAsDouble(row + x);
                    }
                }
            }
            return new Source(read, e, box, reach);
        }

        double at(int x, int y, int z) {
            assert box == null || x >= bx && x < bx + bnx && y >= by && y < by + bny && z >= bz && ((z - bz) * bny + (y - by)) * bnx + (x - bx) < box.length
                    : "source voxel " + x + "," + y + "," + z + " outside the copied box";
            return box != null ? box[((z - bz) * bny + (y - by)) * bnx + (x - bx)] : read.applyAsDouble(e.index(x, y, z));
        }
    }

    /**
     * The label's indicator read straight from the mask (1 where it holds the label, 0 elsewhere: no
     * indicator volume on the whole grid), resampled by the same arithmetic as {@link #resample}, rounded to
     * float32 as its result would be, and kept where ≥ 0.5: the whole-grid indicator's result bit for bit (ResampleLabelTest).
     */
    @Override
    public Mask resampleLabel(Mask mask, int label, IndexBox roi, Geometry target, IndexBox block) {
        Extent se = mask.geometry().extent();
        MemorySegment labels = mask.asVolume().segment();
        byte b = (byte) label;
        double[] m = Resampling.indexMap(mask.geometry(), target);
        Source indicator = Source.of(i -> labels.get(ValueLayout.JAVA_BYTE, i) == b ? 1 : 0, se, m, block);
        return overBlock(m, target, block, Mask::allocate, out -> (i, q) -> {
            if ((float) sampleAt(indicator, se, q, Interpolation.TRILINEAR) >= 0.5f) {
                out.set(i, label);
            }
        });
    }

    /**
     * A new output on the block's grid ({@link Resampling#blockGrid}), each of its voxels visited per slab with
     * its point in the source's index space (through the index map {@code m}); closed if that fails.
     */
    private <V extends AutoCloseable> V overBlock(double[] m, Geometry target, IndexBox block, java.util.function.Function<Geometry, V> allocate,
                                                  java.util.function.Function<V, MappedVoxel> visitor) {
        Geometry og = Resampling.blockGrid(target, block);
        Extent te = og.extent();
        V out = allocate.apply(og);
        MappedVoxel visit = visitor.apply(out);
        return fillPerSlab(out, te.nz(), (z0, z1) -> {
            forEachMapped(m, block, te, z0, z1, visit);
            return null;
        });
    }

    @FunctionalInterface
    private interface MappedVoxel {
        void accept(long index, Vec3 sourcePoint);
    }

    /** Each voxel of slices [z0, z1) of the block (extent {@code te}) with its point in source index space through {@code m}. */
    private static void forEachMapped(double[] m, IndexBox block, Extent te, int z0, int z1, MappedVoxel visit) {
        int bx = block.x0(), by = block.y0(), bz = block.z0();
        for (int zb = z0; zb < z1; zb++) {
            int z = zb + bz;
            for (int yb = 0; yb < te.ny(); yb++) {
                int y = yb + by;
                for (int xb = 0; xb < te.nx(); xb++) {
                    int x = xb + bx; // the voxel's index in the whole target grid
                    visit.accept(te.index(xb, yb, zb), new Vec3(m[0] * x + m[1] * y + m[2] * z + m[3], m[4] * x + m[5] * y + m[6] * z + m[7],
                            m[8] * x + m[9] * y + m[10] * z + m[11]));
                }
            }
        }
    }

    private static double sampleAt(Source v, Extent e, Vec3 q, Interpolation m) {
        double x = clamp(q.x(), e.nx() - 1), y = clamp(q.y(), e.ny() - 1), z = clamp(q.z(), e.nz() - 1);
        return switch (m) {
            case NEAREST -> v.at((int) Math.round(x), (int) Math.round(y), (int) Math.round(z));
            case TRILINEAR -> {
                int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y), z0 = (int) Math.floor(z);
                double fx = x - x0, fy = y - y0, fz = z - z0, s = 0;
                for (int k = 0; k < 8; k++) {
                    int dx = k & 1, dy = k >> 1 & 1, dz = k >> 2 & 1;
                    double w = (dx == 1 ? fx : 1 - fx) * (dy == 1 ? fy : 1 - fy) * (dz == 1 ? fz : 1 - fz);
                    if (w != 0) {
                        s += w * v.at(Math.min(x0 + dx, e.nx() - 1), Math.min(y0 + dy, e.ny() - 1), Math.min(z0 + dz, e.nz() - 1));
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
                            s += wx[i] * wy[j] * wz[k] * v.at(xx, yy, zz);
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

    /**
     * Pairs counted once (i < j) and doubled. Rows of i are cut into chunks of about
     * {@value #PAIRS_PER_CHUNK} pairs — a cut that depends on the number of points only, not on threads
     * or slabs — summed on the executor and added in chunk order: bit-identical on any executor.
     */
    @Override
    public double[] inverseDistanceSums(double[] p, double[] x, double mean) {
        int m = x.length;
        if (p.length != 3 * m) {
            throw new IllegalArgumentException("expected " + 3L * m + " coordinates (x, y, z of " + m + " points), got " + p.length);
        }
        List<int[]> chunks = pairChunks(m);
        // Coordinates as separate arrays, and weights in a first loop of their own, so the JIT vectorises
        // the square roots and divisions; the sums follow in a second loop, two interleaved partial sums each.
        double[] px = new double[m], py = new double[m], pz = new double[m];
        for (int i = 0; i < m; i++) {
            px[i] = p[3 * i];
            py[i] = p[3 * i + 1];
            pz[i] = p[3 * i + 2];
        }
        List<CompletableFuture<double[]>> parts = new ArrayList<>(chunks.size());
        for (int[] c : chunks) {
            parts.add(CompletableFuture.supplyAsync(() -> {
                double[] w = new double[m];
                double sw = 0, moran = 0, geary = 0;
                for (int i = c[0]; i < c[1]; i++) {
                    double xi = x[i], ax = px[i], ay = py[i], az = pz[i];
                    for (int j = i + 1; j < m; j++) {
                        double ex = ax - px[j], ey = ay - py[j], ez = az - pz[j];
                        w[j] = 1 / Math.sqrt(ex * ex + ey * ey + ez * ez);
                    }
                    double w0 = 0, m0 = 0, g0 = 0, w1 = 0, m1 = 0, g1 = 0;
                    int j = i + 1;
                    for (; j + 1 < m; j += 2) {
                        double xa = x[j], xb = x[j + 1], da = xi - xa, db = xi - xb;
                        w0 += w[j];
                        m0 += w[j] * (xa - mean);
                        g0 += w[j] * da * da;
                        w1 += w[j + 1];
                        m1 += w[j + 1] * (xb - mean);
                        g1 += w[j + 1] * db * db;
                    }
                    if (j < m) {
                        double d = xi - x[j];
                        w0 += w[j];
                        m0 += w[j] * (x[j] - mean);
                        g0 += w[j] * d * d;
                    }
                    sw += w0 + w1;
                    moran += (xi - mean) * (m0 + m1);
                    geary += g0 + g1;
                }
                return new double[] {sw, moran, geary};
            }, executor));
        }
        Tasks.joinAll(parts);
        double[] out = new double[3];
        for (CompletableFuture<double[]> f : parts) {
            double[] r = f.join();
            for (int k = 0; k < 3; k++) {
                out[k] += 2 * r[k];
            }
        }
        return out;
    }

    /**
     * The rows i (each with the pairs (i, j &gt; i)) of {@link #inverseDistanceSums} in chunks of about
     * {@value #PAIRS_PER_CHUNK} pairs: each chunk's sums run in row order and the chunks are added in order,
     * so the result does not depend on the thread count — and a backend that returns each row's terms gets
     * the same doubles from {@link #foldRows}.
     */
    static List<int[]> pairChunks(int m) {
        List<int[]> chunks = new ArrayList<>();
        long pairs = 0;
        int from = 0;
        for (int i = 0; i < m; i++) {
            pairs += m - 1 - i;
            if (pairs >= PAIRS_PER_CHUNK || i == m - 1) {
                chunks.add(new int[] {from, i + 1});
                from = i + 1;
                pairs = 0;
            }
        }
        return chunks;
    }

    /**
     * {@link #inverseDistanceSums} from each row's terms: {@code rows[i]} = Σ_j w, {@code rows[m + i]} =
     * (x_i − μ) Σ_j w (x_j − μ), {@code rows[2m + i]} = Σ_j w (x_i − x_j)², over j &gt; i, each sum in the
     * CPU's order (two interleaved partial sums, even and odd j − i − 1, added at the end).
     */
    static double[] foldRows(double[] rows, int m) {
        double[] out = new double[3];
        for (int[] c : pairChunks(m)) {
            double sw = 0, moran = 0, geary = 0;
            for (int i = c[0]; i < c[1]; i++) {
                sw += rows[i];
                moran += rows[m + i];
                geary += rows[2 * m + i];
            }
            out[0] += 2 * sw;
            out[1] += 2 * moran;
            out[2] += 2 * geary;
        }
        return out;
    }

    private static void sameGrid(Volume image, Mask mask) {
        if (!image.geometry().sameGrid(mask.geometry(), 1e-3)) {
            throw new IllegalArgumentException("image " + image.extent() + " and mask " + mask.geometry().extent() + " are not on the same grid");
        }
    }

    /** Per z-slice partial moments (a cut that does not depend on the slab count), added in slice order. */
    @Override
    public Moments moments(Volume image, Mask mask, int label) {
        sameGrid(image, mask);
        Extent e = image.extent();
        long slice = e.sliceSize();
        double[][] part = new double[e.nz()][];
        perSlab(e.nz(), (z0, z1) -> {
            for (int z = z0; z < z1; z++) {
                double n = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
                for (long i = z * slice, end = i + slice; i < end; i++) {
                    if (mask.label(i) == label) {
                        double v = image.get(i);
                        n++;
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                        sum += v;
                        sq += v * v;
                    }
                }
                part[z] = new double[] {n, min, max, sum, sq};
            }
            return null;
        });
        double n = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0, sq = 0;
        for (double[] p : part) {
            n += p[0];
            min = Math.min(min, p[1]);
            max = Math.max(max, p[2]);
            sum += p[3];
            sq += p[4];
        }
        return new Moments((long) n, min, max, sum, sq);
    }

    @Override
    public Mask rangeMask(Volume image, Mask mask, int label, double lo, double hi) {
        sameGrid(image, mask);
        double a = Double.isNaN(lo) ? Double.NEGATIVE_INFINITY : lo, b = Double.isNaN(hi) ? Double.POSITIVE_INFINITY : hi;
        Mask out = Mask.allocate(mask.geometry());
        long slice = image.extent().sliceSize();
        return fillPerSlab(out, image.extent().nz(), (z0, z1) -> {
            for (long i = z0 * slice, end = z1 * slice; i < end; i++) {
                if (mask.label(i) == label) {
                    double v = image.get(i);
                    if (v >= a && v <= b) {
                        out.set(i, 1);
                    }
                }
            }
            return null;
        });
    }

    @Override
    public Volume discretise(Volume image, Mask mask, int label, Binning binning) {
        sameGrid(image, mask);
        Volume out = Volume.allocate(image.geometry(), io.hounsfield.core.VoxelType.INT32);
        long slice = image.extent().sliceSize();
        MemorySegment o = out.segment();
        return fillPerSlab(out, image.extent().nz(), (z0, z1) -> {
            for (long i = z0 * slice, end = z1 * slice; i < end; i++) {
                o.setAtIndex(ValueLayout.JAVA_INT, i, mask.label(i) == label ? binning.level(image.get(i)) : 0);
            }
            return null;
        });
    }

    /** Runs {@code fill} per slab into the new {@code out}; closes {@code out} if that fails. */
    private <V extends AutoCloseable> V fillPerSlab(V out, int nz, SlabTask<Void> fill) {
        try {
            perSlab(nz, fill);
            return out;
        } catch (RuntimeException | Error ex) {
            try {
                out.close();
            } catch (Exception suppressed) {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    @Override
    public long[] histogram(Volume levels, int nbins) {
        if (levels.type() != io.hounsfield.core.VoxelType.INT32) {
            throw new IllegalArgumentException("grey levels must be an int32 volume, got " + levels.type().id());
        }
        if (nbins < 1) {
            throw new IllegalArgumentException("histogram bins must be >= 1, got " + nbins);
        }
        long slice = levels.extent().sliceSize();
        MemorySegment s = levels.segment();
        List<long[]> parts = perSlab(levels.extent().nz(), (z0, z1) -> {
            long[] h = new long[nbins];
            for (long i = z0 * slice, end = z1 * slice; i < end; i++) {
                int g = s.getAtIndex(ValueLayout.JAVA_INT, i);
                if (g >= 1 && g <= nbins) {
                    h[g - 1]++;
                }
            }
            return h;
        });
        long[] h = new long[nbins];
        for (long[] p : parts) {
            for (int g = 0; g < nbins; g++) {
                h[g] += p[g];
            }
        }
        return h;
    }

    @Override
    public Volume crop(Volume image, IndexBox box) {
        return image.crop(box);
    }

    @Override
    public Volume clip(Volume image, double lo, double hi) {
        Volume out = Volume.allocate(image.geometry(), io.hounsfield.core.VoxelType.FLOAT32);
        long slice = image.extent().sliceSize();
        return fillPerSlab(out, image.extent().nz(), (z0, z1) -> {
            for (long i = z0 * slice, end = z1 * slice; i < end; i++) {
                double x = image.get(i);
                if (x < lo) {
                    x = lo;
                }
                if (x > hi) {
                    x = hi;
                }
                out.set(i, x);
            }
            return null;
        });
    }

    /** Per z-slab, the slabs' boxes joined: the scan reads the whole mask, so it is memory-bound and parallel. */
    @Override
    public Optional<IndexBox> boundingBox(Mask mask, int label) {
        return perSlab(mask.geometry().extent().nz(), (z0, z1) -> mask.boundingBox(label, z0, z1)).stream()
                .flatMap(Optional::stream).reduce(IndexBox::union);
    }

    /** Sequential for now: the mesh of a large organ takes tens of milliseconds (see benchmarks). */
    @Override
    public Mesh mesh(Mask mask, int label, IndexBox box) {
        return MarchingCubes.of(mask, label, box);
    }

    @FunctionalInterface
    private interface SlabTask<T> {
        T run(int z0, int z1);
    }

    /** Runs {@code task} on each z-slab and returns the results in slab order. */
    private <T> List<T> perSlab(int nz, SlabTask<T> task) {
        return perSlab(nz, (IndexedSlabTask<T>) (k, z0, z1) -> task.run(z0, z1));
    }

    @FunctionalInterface
    private interface IndexedSlabTask<T> {
        T run(int slab, int z0, int z1);
    }

    /** As {@link #perSlab(int, SlabTask)}, telling each task its slab's number (the same cut for the same nz). */
    private <T> List<T> perSlab(int nz, IndexedSlabTask<T> task) {
        int n = Math.min(slabs, nz);
        List<CompletableFuture<T>> futures = new ArrayList<>(n);
        IntFunction<Integer> bound = k -> (int) ((long) nz * k / n);
        for (int k = 0; k < n; k++) {
            int slab = k, z0 = bound.apply(k), z1 = bound.apply(k + 1);
            futures.add(CompletableFuture.supplyAsync(() -> task.run(slab, z0, z1), executor));
        }
        Tasks.joinAll(futures);
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
