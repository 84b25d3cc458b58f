package io.hounsfield.radiomics.features;

import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.core.backend.RoiSample;
import io.hounsfield.core.backend.RoiSums;
import io.hounsfield.core.mesh.SurfaceMeasures;
import io.hounsfield.radiomics.FeatureValue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * IBSI §3.1, morphological features (3D), from the marching-cubes mesh of the morphological mask, the
 * positions of its voxels, and the intensity mask's voxels. Large ROIs stay fast: the convex hull is
 * built from the ends of the surface's grid rows that lie on their plane's convex outline (only they can be
 * hull vertices; {@code SurfaceCounts}), the maximum diameter
 * is searched among hull vertices, and Moran's I and Geary's C — O(N²) — use all voxels up to
 * {@value #AUTOCORRELATION_EXACT_LIMIT} and a fixed-seed random subset of that size beyond (an
 * estimate, as IBSI permits for large ROIs). The oriented minimum bounding box is searched among boxes
 * flush with a hull face ({@link Enclosing#orientedBox}); the minimum-volume enclosing ellipsoid comes
 * from Khachiyan's algorithm with away steps on the hull vertices ({@link Enclosing#mvee}). IBSI gives no reference values for these four.
 */
public final class Morphology {

    public static final String FAMILY = "morphology";
    static final int AUTOCORRELATION_EXACT_LIMIT = 4000;

    private Morphology() {
    }

    /**
     * @param surface     the marching-cubes surface of the morphological mask (world mm)
     * @param morphVoxels the morphological mask's voxels (their intensities are not used)
     * @param intensity   the intensity mask's voxels
     * @param geometry    the grid both samples index into
     * @param unit        intensity unit
     * @param backend     runs the pairwise sums of Moran's I and Geary's C
     */
    public static List<FeatureValue> compute(SurfaceMeasures surface, RoiSample morphVoxels, RoiSample intensity, Geometry geometry, String unit,
                                             ComputeBackend backend) {
        return compute(surface, morphVoxels, intensity, geometry, unit, backend, Runnable::run);
    }

    /** What the convex hull gives: its volume and area, the largest diameter, the oriented box, the ellipsoid's semi-axes. */
    private record HullMeasures(double volume, double area, double maxDiameter, Enclosing.Box box, double[] mvee) {
    }

    private static HullMeasures hullMeasures(double[] candidates, java.util.concurrent.Executor work) {
        ConvexHull hull = ConvexHull.of(candidates);
        double[] points = hull.vertexPoints();
        double[] mvee = points.length >= 12 ? Enclosing.mvee(points, 1e-7, 2000) : new double[] {Double.NaN, Double.NaN, Double.NaN};
        return new HullMeasures(hull.volume(), hull.area(), maxDistance(hull), Enclosing.orientedBox(hull, work), mvee);
    }

    /**
     * As above, the convex hull and what is measured on it (its oriented box in a few chunks of directions)
     * running on {@code work} beside the voxels' moments and the pairwise sums: the same values whatever runs
     * them ({@code Runnable::run}: one after another).
     */
    public static List<FeatureValue> compute(SurfaceMeasures surface, RoiSample morphVoxels, RoiSample intensity, Geometry geometry, String unit,
                                             ComputeBackend backend, java.util.concurrent.Executor work) {
        return compute(surface, Voxels.of(morphVoxels, intensity, geometry.extent()), geometry, unit, backend, work);
    }

    /**
     * What morphology needs of the ROI's voxels besides its surface: the morphological mask's index moments
     * ({@link RoiSums#indexMoments}), the intensity mask's weighted sums ({@link RoiSums#weightedSums}) and voxel
     * count, and its voxels at given ranks (Moran's points) — from the backend ({@link ComputeBackend#indexMoments}
     * and the rest, a device computing them in its own copies) or from samples.
     */
    public record Voxels(long[] indexMoments, double[] weightedSums, long intensityCount, java.util.function.Function<int[], RoiSample> gather) {
        /** From samples of the morphological and intensity masks (what a backend working from samples gives). */
        public static Voxels of(RoiSample morph, RoiSample intensity, Extent e) {
            return new Voxels(RoiSums.indexMoments(morph.indices(), e), RoiSums.weightedSums(intensity, e), intensity.size(),
                    ranks -> RoiSums.pick(intensity, ranks));
        }
    }

    /**
     * As above, from the ROI's voxel reductions ({@link Voxels}): the convex hull and what is measured on it run
     * on {@code work} beside the centres of mass and Moran's sums.
     */
    public static List<FeatureValue> compute(SurfaceMeasures surface, Voxels voxels, Geometry geometry, String unit, ComputeBackend backend,
                                             java.util.concurrent.Executor work) {
        var hulling = java.util.concurrent.CompletableFuture.supplyAsync(() -> hullMeasures(surface.hullCandidates(), work), work);
        double v = surface.volume(), a = surface.area();
        IndexMoments im = IndexMoments.of(voxels.indexMoments());
        double vVox = im.n() * geometry.voxelVolume();
        double[] m = geometry.indexToWorldMatrix();
        // Centre of mass and covariance of the voxel positions from exact integer moments of their indices,
        // mapped to world mm through the grid's affine map: no per-voxel positions.
        double[] weighted = voxels.weightedSums(); // Σw, Σw·i, Σw·j, Σw·k
        double[] com = toWorld(m, im.mean());
        // Intensity-weighted centre of mass over the intensity mask.
        double[] cw = toWorld(m, new double[] {weighted[1] / weighted[0], weighted[2] / weighted[0], weighted[3] / weighted[0]});
        double comShift = Math.sqrt(sq(com[0] - cw[0]) + sq(com[1] - cw[1]) + sq(com[2] - cw[2]));
        double[] lambda = Eigen.symmetric3(im.worldCovariance(m)); // descending
        double major = 4 * Math.sqrt(lambda[0]), minor = 4 * Math.sqrt(lambda[1]), least = 4 * Math.sqrt(lambda[2]);

        // Every extreme of the surface in any direction is among the hull candidates: their bounds are the mesh's.
        double[] bounds = aabb(surface.hullCandidates());
        double dx = bounds[3] - bounds[0], dy = bounds[4] - bounds[1], dz = bounds[5] - bounds[2];

        double sa = major / 2, sb = minor / 2, sc = least / 2;
        double vEllipsoid = 4 * Math.PI / 3 * sa * sb * sc;
        double meanIntensity = weighted[0] / voxels.intensityCount();
        double[] auto = autocorrelation(voxels, geometry, backend); // on this thread: the backend reports to its caller's scope
        io.hounsfield.core.Tasks.joinAll(List.of(hulling));
        HullMeasures hull = hulling.join();
        double maxDiameter = hull.maxDiameter();
        double sphere = Math.cbrt(36 * Math.PI * v * v);
        List<FeatureValue> out = new ArrayList<>();
        out.add(f("RNU0", "Volume (mesh)", v, "mm³"));
        out.add(f("YEKZ", "Volume (voxel counting)", vVox, "mm³"));
        out.add(f("C0JK", "Surface area (mesh)", a, "mm²"));
        out.add(f("2PR5", "Surface to volume ratio", a / v, "1/mm"));
        out.add(f("SKGS", "Compactness 1", v / (Math.sqrt(Math.PI) * Math.pow(a, 1.5)), ""));
        out.add(f("BQWJ", "Compactness 2", 36 * Math.PI * v * v / (a * a * a), ""));
        out.add(f("KRCK", "Spherical disproportion", a / sphere, ""));
        out.add(f("QCFX", "Sphericity", sphere / a, ""));
        out.add(f("25C7", "Asphericity", a / sphere - 1, ""));
        out.add(f("KLMA", "Centre of mass shift", comShift, "mm"));
        out.add(f("L0JK", "Maximum 3D diameter", maxDiameter, "mm"));
        out.add(f("TDIC", "Major axis length", major, "mm"));
        out.add(f("P9VJ", "Minor axis length", minor, "mm"));
        out.add(f("7J51", "Least axis length", least, "mm"));
        out.add(f("Q3CK", "Elongation", Math.sqrt(lambda[1] / lambda[0]), ""));
        out.add(f("N17B", "Flatness", Math.sqrt(lambda[2] / lambda[0]), ""));
        out.add(f("PBX1", "Volume density (axis-aligned bounding box)", v / (dx * dy * dz), ""));
        out.add(f("R59B", "Area density (axis-aligned bounding box)", a / (2 * (dx * dy + dx * dz + dy * dz)), ""));
        out.add(f("6BDE", "Volume density (approximate enclosing ellipsoid)", v / vEllipsoid, ""));
        out.add(f("RDD2", "Area density (approximate enclosing ellipsoid)", a / ellipsoidArea(sa, sb, sc), ""));
        Enclosing.Box ombb = hull.box();
        out.add(f("ZH1A", "Volume density (oriented minimum bounding box)", ombb == null ? Double.NaN : v / ombb.volume(), ""));
        out.add(f("IQYR", "Area density (oriented minimum bounding box)", ombb == null ? Double.NaN : a / ombb.area(), ""));
        double[] mvee = hull.mvee();
        out.add(f("SWZ1", "Volume density (minimum volume enclosing ellipsoid)", v / (4 * Math.PI / 3 * mvee[0] * mvee[1] * mvee[2]), ""));
        out.add(f("BRI8", "Area density (minimum volume enclosing ellipsoid)", a / ellipsoidArea(mvee[0], mvee[1], mvee[2]), ""));
        out.add(f("R3ER", "Volume density (convex hull)", v / hull.volume(), ""));
        out.add(f("7T7F", "Area density (convex hull)", a / hull.area(), ""));
        out.add(f("99N0", "Integrated intensity", v * meanIntensity, unit.isEmpty() ? "mm³" : unit + "·mm³"));
        out.add(f("N365", "Moran's I index", auto[0], ""));
        out.add(f("NPT7", "Geary's C measure", auto[1], ""));
        return out;
    }

    private static FeatureValue f(String code, String name, double value, String unit) {
        return new FeatureValue(code, FAMILY, name, "3D", value, unit);
    }

    private static double sq(double x) {
        return x * x;
    }

    /** World positions (x, y, z each) of voxel indices, through the grid's affine map: no per-voxel objects. */
    private static double[] positions(long[] idx, Geometry g) {
        Extent e = g.extent();
        double[] m = g.indexToWorldMatrix();
        double[] out = new double[3 * idx.length];
        for (int n = 0; n < idx.length; n++) {
            long k = idx[n];
            double i = k % e.nx(), j = k / e.nx() % e.ny(), l = k / e.sliceSize();
            for (int r = 0; r < 3; r++) {
                out[3 * n + r] = m[4 * r] * i + m[4 * r + 1] * j + m[4 * r + 2] * l + m[4 * r + 3];
            }
        }
        return out;
    }

    /** A world point from index coordinates through the grid's affine map (row-major 3×4). */
    private static double[] toWorld(double[] m, double[] idx) {
        double[] w = new double[3];
        for (int r = 0; r < 3; r++) {
            w[r] = m[4 * r] * idx[0] + m[4 * r + 1] * idx[1] + m[4 * r + 2] * idx[2] + m[4 * r + 3];
        }
        return w;
    }

    /**
     * Count, sums and sums of products of the voxels' (i, j, k) indices, exactly (longs: exact while
     * N · (largest index)² &lt; 2⁶³, any grid up to 4096³), and the covariance they give, rounded once.
     */
    record IndexMoments(long n, long[] sum, long[] products) {

        static IndexMoments of(long[] idx, Extent e) {
            return of(RoiSums.indexMoments(idx, e));
        }

        /** From {@link RoiSums#indexMoments}' ten numbers. */
        static IndexMoments of(long[] m) {
            return new IndexMoments(m[0], new long[] {m[1], m[2], m[3]}, java.util.Arrays.copyOfRange(m, 4, 10)); // ii ij ik jj jk kk
        }

        double[] mean() {
            return new double[] {(double) sum[0] / n, (double) sum[1] / n, (double) sum[2] / n};
        }

        /**
         * The sample covariance (divided by N − 1, as IBSI's reference values use) of the world positions:
         * L C Lᵀ with C the index covariance (n·Σab − Σa·Σb) / (n(n − 1)), computed exactly then rounded, and L
         * the affine map's linear part.
         */
        double[][] worldCovariance(double[] m) {
            double[][] c = new double[3][3];
            int[][] at = {{0, 1, 2}, {1, 3, 4}, {2, 4, 5}};
            java.math.BigInteger bn = java.math.BigInteger.valueOf(n), denom = bn.multiply(java.math.BigInteger.valueOf(Math.max(1, n - 1)));
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    java.math.BigInteger num = bn.multiply(java.math.BigInteger.valueOf(products[at[a][b]]))
                            .subtract(java.math.BigInteger.valueOf(sum[a]).multiply(java.math.BigInteger.valueOf(sum[b])));
                    c[a][b] = new java.math.BigDecimal(num).divide(new java.math.BigDecimal(denom), java.math.MathContext.DECIMAL64).doubleValue();
                }
            }
            double[][] w = new double[3][3];
            for (int r = 0; r < 3; r++) {
                for (int q = 0; q < 3; q++) {
                    double acc = 0;
                    for (int a = 0; a < 3; a++) {
                        for (int b = 0; b < 3; b++) {
                            acc += m[4 * r + a] * c[a][b] * m[4 * q + b];
                        }
                    }
                    w[r][q] = acc;
                }
            }
            return w;
        }
    }

    private static double[] aabb(double[] v) {
        double[] b = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i = 0; i < v.length; i += 3) {
            for (int k = 0; k < 3; k++) {
                b[k] = Math.min(b[k], v[i + k]);
                b[3 + k] = Math.max(b[3 + k], v[i + k]);
            }
        }
        return b;
    }

    private static double maxDistance(ConvexHull hull) {
        return maxDistance(hull.points(), hull.vertices());
    }

    /**
     * The largest distance between two of the points {@code idx} (x y z each in {@code p}), exactly, without
     * trying every pair: the points are binned into up to 4×4×4 cells of their bounding box, and a pair of
     * cells is searched only while the largest distance between the cells' boxes exceeds the best distance
     * found, cell pairs taken in decreasing order of that bound.
     */
    static double maxDistance(double[] p, int[] idx) {
        int n = idx.length;
        if (n < 2) {
            return 0;
        }
        double[] lo = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE}, hi = {-Double.MAX_VALUE, -Double.MAX_VALUE, -Double.MAX_VALUE};
        for (int i : idx) {
            for (int k = 0; k < 3; k++) {
                lo[k] = Math.min(lo[k], p[3 * i + k]);
                hi[k] = Math.max(hi[k], p[3 * i + k]);
            }
        }
        int side = n < 64 ? 1 : 4, cells = side * side * side;
        int[] cellOf = new int[n], start = new int[cells + 1];
        for (int t = 0; t < n; t++) {
            int c = 0;
            for (int k = 2; k >= 0; k--) {
                double span = hi[k] - lo[k];
                int b = span > 0 ? (int) Math.min(side - 1, (p[3 * idx[t] + k] - lo[k]) / span * side) : 0;
                c = c * side + b;
            }
            cellOf[t] = c;
            start[c + 1]++;
        }
        for (int c = 0; c < cells; c++) {
            start[c + 1] += start[c];
        }
        // Points grouped by cell (coordinates copied, so the inner loop reads consecutive memory), and each
        // cell's own bounding box.
        double[] x = new double[n], y = new double[n], z = new double[n];
        double[] box = new double[6 * cells];
        for (int c = 0; c < cells; c++) {
            box[6 * c] = box[6 * c + 1] = box[6 * c + 2] = Double.MAX_VALUE;
            box[6 * c + 3] = box[6 * c + 4] = box[6 * c + 5] = -Double.MAX_VALUE;
        }
        int[] fill = Arrays.copyOf(start, cells);
        for (int t = 0; t < n; t++) {
            int c = cellOf[t], at = fill[c]++, i = idx[t];
            x[at] = p[3 * i];
            y[at] = p[3 * i + 1];
            z[at] = p[3 * i + 2];
            for (int k = 0; k < 3; k++) {
                box[6 * c + k] = Math.min(box[6 * c + k], p[3 * i + k]);
                box[6 * c + 3 + k] = Math.max(box[6 * c + 3 + k], p[3 * i + k]);
            }
        }
        List<long[]> pairs = new ArrayList<>(); // {bound bits, a, b}
        for (int a = 0; a < cells; a++) {
            if (start[a] == start[a + 1]) {
                continue;
            }
            for (int b = a; b < cells; b++) {
                if (start[b] == start[b + 1]) {
                    continue;
                }
                double bound = 0;
                for (int k = 0; k < 3; k++) {
                    double d = Math.max(box[6 * a + 3 + k] - box[6 * b + k], box[6 * b + 3 + k] - box[6 * a + k]);
                    bound += d * d;
                }
                pairs.add(new long[] {Double.doubleToLongBits(bound), a, b});
            }
        }
        pairs.sort((u, v) -> Double.compare(Double.longBitsToDouble(v[0]), Double.longBitsToDouble(u[0])));
        double best = 0;
        for (long[] pair : pairs) {
            if (Double.longBitsToDouble(pair[0]) <= best) {
                break;
            }
            int a = (int) pair[1], b = (int) pair[2];
            for (int i = start[a]; i < start[a + 1]; i++) {
                double xi = x[i], yi = y[i], zi = z[i];
                for (int j = a == b ? i + 1 : start[b]; j < start[b + 1]; j++) {
                    double dx = xi - x[j], dy = yi - y[j], dz = zi - z[j];
                    best = Math.max(best, dx * dx + dy * dy + dz * dz);
                }
            }
        }
        return Math.sqrt(best);
    }

    /**
     * IBSI's approximation of an ellipsoid's surface (RDD2): 4πab Σ_{ν=0}^{20} (αβ)^ν P_ν((α²+β²)/(2αβ)) / (1 − 4ν²),
     * α = √(1 − b²/a²), β = √(1 − c²/a²), with Legendre polynomials P_ν. This is IBSI's definition, and its
     * reference values use it; it is not the true area of elongated ellipsoids (12×5×5 mm: 487 mm² against
     * 630 mm²), but for the near-spherical PCA ellipsoids of most ROIs the two agree within a few per cent.
     */
    static double ellipsoidArea(double a, double b, double c) {
        double alpha = Math.sqrt(Math.max(0, 1 - b * b / (a * a))), beta = Math.sqrt(Math.max(0, 1 - c * c / (a * a)));
        // Q_ν = (αβ)^ν P_ν(x) by the Legendre recurrence scaled by αβ, finite also when αβ = 0 (spheroids).
        double t = alpha * beta, tx = (alpha * alpha + beta * beta) / 2;
        double qPrev = 1, q = tx, sum = 1 + tx / (1 - 4.0);
        for (int nu = 2; nu <= 20; nu++) {
            double qn = ((2 * nu - 1) * tx * q - (nu - 1) * t * t * qPrev) / nu;
            qPrev = q;
            q = qn;
            sum += q / (1 - 4.0 * nu * nu);
        }
        return 4 * Math.PI * a * b * sum;
    }

    /** Moran's I and Geary's C with weights 1/distance (world mm) between distinct voxels. */
    private static double[] autocorrelation(Voxels voxels, Geometry g, ComputeBackend backend) {
        int n = Math.toIntExact(voxels.intensityCount());
        int[] pick;
        if (n <= AUTOCORRELATION_EXACT_LIMIT) {
            pick = java.util.stream.IntStream.range(0, n).toArray();
        } else {
            pick = new SplittableRandom(20261129L).ints(0, n).distinct().limit(AUTOCORRELATION_EXACT_LIMIT).sorted().toArray();
        }
        int m = pick.length;
        RoiSample points = voxels.gather().apply(pick);
        double[] x = points.intensities();
        long[] idx = points.indices();
        double mu = 0;
        for (double v : x) {
            mu += v;
        }
        mu /= m;
        double var = 0;
        for (double v : x) {
            var += sq(v - mu);
        }
        if (var == 0 || m < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] s = backend.inverseDistanceSums(positions(idx, g), x, mu); // Σw, Σw·di·dj, Σw·(xi − xj)²
        return new double[] {m / s[0] * s[1] / var, (m - 1) / (2 * s[0]) * s[2] / var};
    }
}
