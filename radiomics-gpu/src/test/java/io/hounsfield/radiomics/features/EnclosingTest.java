package io.hounsfield.radiomics.features;

import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Enclosing shapes checked on point sets whose answer is known by construction. */
class EnclosingTest {

    private static double[] rotated(double[] pts, Mat3 r, Vec3 t) {
        double[] out = new double[pts.length];
        for (int i = 0; i < pts.length; i += 3) {
            Vec3 q = r.times(new Vec3(pts[i], pts[i + 1], pts[i + 2])).plus(t);
            out[i] = q.x();
            out[i + 1] = q.y();
            out[i + 2] = q.z();
        }
        return out;
    }

    @Test
    void aRotatedBoxIsFoundExactly() {
        // Corners and random interior points of a 2×3×7 box, rotated off every axis.
        SplittableRandom r = new SplittableRandom(4);
        double[] pts = new double[3 * 508];
        for (int k = 0; k < 8; k++) {
            pts[3 * k] = 2 * (k & 1);
            pts[3 * k + 1] = 3 * (k >> 1 & 1);
            pts[3 * k + 2] = 7 * (k >> 2 & 1);
        }
        for (int i = 8; i < 508; i++) {
            pts[3 * i] = 2 * r.nextDouble();
            pts[3 * i + 1] = 3 * r.nextDouble();
            pts[3 * i + 2] = 7 * r.nextDouble();
        }
        double[] p = rotated(pts, Mat3.rotation(new Vec3(1, 2, 3), 0.7), new Vec3(5, -3, 2));
        ConvexHull h = ConvexHull.of(p);
        Enclosing.Box b = Enclosing.orientedBox(h);
        assertThat(b.volume()).isCloseTo(42, within(1e-6));
        assertThat(b.area()).isCloseTo(2 * (6 + 14 + 21), within(1e-6));
    }

    /**
     * The box from the hull's silhouettes equals the box from each direction's brute-force projection (every
     * hull vertex projected, its 2-D hull by the monotone chain, every hull edge tried), on random clouds and
     * on voxel-lattice shapes whose hulls have many coplanar triangles and faces parallel to the directions.
     */
    @Test
    void silhouettesGiveTheSameBoxAsProjectingEveryVertex() {
        for (int seed = 0; seed < 24; seed++) {
            SplittableRandom r = new SplittableRandom(1000 + seed);
            int n = 20 + r.nextInt(3000);
            double[] pts = new double[3 * n];
            for (int i = 0; i < n; i++) {
                double x, y, z;
                do {
                    x = r.nextDouble(-1, 1);
                    y = r.nextDouble(-1, 1);
                    z = r.nextDouble(-1, 1);
                } while (x * x + y * y + z * z > 1);
                if (seed % 2 == 1) { // lattice points of an ellipsoid: coplanar faces, axis-parallel normals
                    x = Math.rint(15 * x);
                    y = Math.rint(9 * y);
                    z = Math.rint(4 * z);
                }
                pts[3 * i] = 0.8 * x;
                pts[3 * i + 1] = 0.8 * y;
                pts[3 * i + 2] = 2.5 * z;
            }
            double[] p = seed % 4 < 2 ? pts : rotated(pts, Mat3.rotation(new Vec3(1, -2, 0.5), 0.3 * seed), new Vec3(-120, 40, 700));
            ConvexHull h = ConvexHull.of(p);
            double[] expected = bruteForceBox(h);
            Enclosing.Box b = Enclosing.orientedBox(h);
            assertThat(b.volume()).as("seed %d", seed).isCloseTo(expected[0], within(1e-9 * expected[0]));
            assertThat(b.area()).as("seed %d", seed).isCloseTo(expected[1], within(1e-9 * expected[1]));
        }
    }

    /**
     * The minimum rectangle of a point set equals the smallest over every direction through two of its points
     * (brute force): on random lattice points (duplicates, collinear runs) and on a rotated rectangle far from the
     * origin whose sides hold runs of points collinear only to rounding — where a rotating caliper could stall.
     */
    @Test
    void theMinimumRectangleIsTheBruteForceOne() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 3000; trial++) {
            int n = 3 + r.nextInt(30);
            double[] xy = new double[2 * n];
            for (int i = 0; i < 2 * n; i++) {
                xy[i] = Math.rint(r.nextDouble(-6, 6));
            }
            double best = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double ux = xy[2 * j] - xy[2 * i], uy = xy[2 * j + 1] - xy[2 * i + 1], l = Math.hypot(ux, uy);
                    if (l == 0) {
                        continue;
                    }
                    double amin = Double.MAX_VALUE, amax = -Double.MAX_VALUE, bmin = Double.MAX_VALUE, bmax = -Double.MAX_VALUE;
                    for (int k = 0; k < n; k++) {
                        double a = (ux * xy[2 * k] + uy * xy[2 * k + 1]) / l, b = (-uy * xy[2 * k] + ux * xy[2 * k + 1]) / l;
                        amin = Math.min(amin, a);
                        amax = Math.max(amax, a);
                        bmin = Math.min(bmin, b);
                        bmax = Math.max(bmax, b);
                    }
                    best = Math.min(best, (amax - amin) * (bmax - bmin));
                }
            }
            double[] got = Enclosing.minRectangle(xy, n);
            if (best < Double.MAX_VALUE) {
                assertThat(got[0] * got[1]).as("trial %d", trial).isCloseTo(best, within(1e-9 * Math.max(1, best)));
            }
        }
        for (int turn = 0; turn < 50; turn++) {
            double t = 0.0123 + turn * Math.PI / 50, c = Math.cos(t), s = Math.sin(t), w = 37.5, h = 12.25;
            int perSide = 40;
            double[] xy = new double[2 * 4 * perSide];
            int k = 0;
            for (int side = 0; side < 4; side++) {
                for (int i = 0; i < perSide; i++) {
                    double f = (double) i / perSide;
                    double x = side == 0 ? f * w : side == 1 ? w : side == 2 ? (1 - f) * w : 0;
                    double y = side == 0 ? 0 : side == 1 ? f * h : side == 2 ? h : (1 - f) * h;
                    xy[k++] = 700 + c * x - s * y;
                    xy[k++] = -400 + s * x + c * y;
                }
            }
            double[] got = Enclosing.minRectangle(xy, 4 * perSide);
            assertThat(Math.max(got[0], got[1])).as("turn %d", turn).isCloseTo(w, within(1e-9 * w));
            assertThat(Math.min(got[0], got[1])).as("turn %d", turn).isCloseTo(h, within(1e-9 * w));
        }
    }

    /** Volume and area of the smallest box flush with one of the first directions the method uses. */
    private static double[] bruteForceBox(ConvexHull h) {
        double[] nrm = h.triangles().normals(), v = h.vertexPoints();
        java.util.List<double[]> dirs = new java.util.ArrayList<>();
        for (int f = 0; f < nrm.length / 3 && dirs.size() < Enclosing.MAX_DIRECTIONS; f++) {
            double[] d = {nrm[3 * f], nrm[3 * f + 1], nrm[3 * f + 2]};
            if (dirs.stream().noneMatch(e -> Math.abs(Math.abs(e[0] * d[0] + e[1] * d[1] + e[2] * d[2]) - 1) < 1e-9)) {
                dirs.add(d);
            }
        }
        double bestVolume = Double.MAX_VALUE, bestArea = 0;
        for (double[] d : dirs) {
            // Any orthonormal basis of the plane: the rectangle does not depend on it.
            Vec3 n = new Vec3(d[0], d[1], d[2]);
            Vec3 e = n.cross(Math.abs(d[2]) < 0.9 ? new Vec3(0, 0, 1) : new Vec3(1, 0, 0)), u = e.times(1 / e.norm()), w = n.cross(u);
            int m = v.length / 3;
            double[][] q = new double[m][];
            double hmin = Double.MAX_VALUE, hmax = -Double.MAX_VALUE;
            for (int i = 0; i < m; i++) {
                Vec3 x = new Vec3(v[3 * i], v[3 * i + 1], v[3 * i + 2]);
                q[i] = new double[] {u.dot(x), w.dot(x)};
                hmin = Math.min(hmin, n.dot(x));
                hmax = Math.max(hmax, n.dot(x));
            }
            java.util.Arrays.sort(q, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
            double[][] hull = new double[2 * m + 1][];
            int k = 0;
            for (int pass = 0; pass < 2; pass++) {
                int start = k;
                for (int t = 0; t < m; t++) {
                    double[] c = pass == 0 ? q[t] : q[m - 1 - t];
                    while (k >= start + 2 && (hull[k - 1][0] - hull[k - 2][0]) * (c[1] - hull[k - 2][1])
                            - (hull[k - 1][1] - hull[k - 2][1]) * (c[0] - hull[k - 2][0]) <= 0) {
                        k--;
                    }
                    hull[k++] = c;
                }
                k--;
            }
            for (int i = 0; i < k; i++) {
                double[] a = hull[i], b = hull[(i + 1) % k];
                double ex = b[0] - a[0], ey = b[1] - a[1], el = Math.hypot(ex, ey);
                double amin = Double.MAX_VALUE, amax = -Double.MAX_VALUE, bmin = Double.MAX_VALUE, bmax = -Double.MAX_VALUE;
                for (int j = 0; j < k; j++) {
                    double s = (ex * hull[j][0] + ey * hull[j][1]) / el, t = (-ey * hull[j][0] + ex * hull[j][1]) / el;
                    amin = Math.min(amin, s);
                    amax = Math.max(amax, s);
                    bmin = Math.min(bmin, t);
                    bmax = Math.max(bmax, t);
                }
                double a1 = amax - amin, b1 = bmax - bmin, c1 = hmax - hmin;
                if (a1 * b1 * c1 < bestVolume) {
                    bestVolume = a1 * b1 * c1;
                    bestArea = 2 * (a1 * b1 + a1 * c1 + b1 * c1);
                }
            }
        }
        return new double[] {bestVolume, bestArea};
    }

    @Test
    void pointsOnAnEllipsoidHaveItAsTheirMinimumEnclosingEllipsoid() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 400;
        double[] pts = new double[3 * n];
        for (int i = 0; i < n; i++) {
            double z = 2 * r.nextDouble() - 1, t = 2 * Math.PI * r.nextDouble(), s = Math.sqrt(1 - z * z);
            pts[3 * i] = 9 * s * Math.cos(t);
            pts[3 * i + 1] = 5 * s * Math.sin(t);
            pts[3 * i + 2] = 3 * z;
        }
        double[] p = rotated(pts, Mat3.rotation(new Vec3(2, -1, 1), 1.1), new Vec3(1, 2, 3));
        double[] axes = Enclosing.mvee(p, 1e-9, 100000);
        assertThat(axes[0]).isCloseTo(9, within(1e-6));
        assertThat(axes[1]).isCloseTo(5, within(1e-6));
        assertThat(axes[2]).isCloseTo(3, within(1e-6));
        // As Morphology calls it: converged, and the same far from the origin and under rounding-sized moves.
        double[] used = Enclosing.mvee(p, 1e-7, 2000);
        double[] far = Enclosing.mvee(rotated(pts, Mat3.rotation(new Vec3(2, -1, 1), 1.1), new Vec3(-300, 250, 1200)), 1e-7, 2000);
        double[] nudged = p.clone();
        for (int i = 0; i < nudged.length; i++) {
            nudged[i] *= 1 + 1e-15 * r.nextGaussian();
        }
        double[] moved = Enclosing.mvee(nudged, 1e-7, 2000);
        for (int k = 0; k < 3; k++) {
            assertThat(used[k]).isCloseTo(axes[k], within(1e-5));
            assertThat(far[k]).isCloseTo(used[k], within(1e-6 * used[k]));
            assertThat(moved[k]).isCloseTo(used[k], within(1e-6 * used[k]));
        }
    }

    /** The box's circumscribed ellipsoid, √3 × its half-edges, encloses its corners with least volume. */
    @Test
    void theCornersOfABoxGiveItsCircumscribedEllipsoid() {
        double[] pts = new double[24];
        for (int i = 0; i < 8; i++) {
            pts[3 * i] = (i & 1) == 0 ? -4 : 4;
            pts[3 * i + 1] = (i >> 1 & 1) == 0 ? -2 : 2;
            pts[3 * i + 2] = (i >> 2 & 1) == 0 ? -1 : 1;
        }
        double[] axes = Enclosing.mvee(rotated(pts, Mat3.rotation(new Vec3(1, 1, 0), 0.5), new Vec3(40, 50, 60)), 1e-10, 10000);
        assertThat(axes).containsExactly(new double[] {4 * Math.sqrt(3), 2 * Math.sqrt(3), Math.sqrt(3)}, within(1e-6));
    }

    @Test
    void ibsiEllipsoidAreaSeriesIsExactForSpheresAndFollowsItsDefinition() {
        assertThat(Morphology.ellipsoidArea(4, 4, 4)).isCloseTo(4 * Math.PI * 16, within(1e-9));
        // The series term by term with plain (unscaled) Legendre polynomials, for axes like the IBSI phantom's.
        double a = 5.7, b = 4.65, c = 4.27;
        double alpha = Math.sqrt(1 - b * b / (a * a)), beta = Math.sqrt(1 - c * c / (a * a)), x = (alpha * alpha + beta * beta) / (2 * alpha * beta);
        double p0 = 1, p1 = x, sum = 1 + alpha * beta * x / (1 - 4.0);
        for (int nu = 2; nu <= 20; nu++) {
            double p2 = ((2 * nu - 1) * x * p1 - (nu - 1) * p0) / nu;
            sum += Math.pow(alpha * beta, nu) * p2 / (1 - 4.0 * nu * nu);
            p0 = p1;
            p1 = p2;
        }
        assertThat(Morphology.ellipsoidArea(a, b, c)).isCloseTo(4 * Math.PI * a * b * sum, within(1e-9));
    }
}
