// Hounsfield's CUDA kernels: preprocessing and the first radiomics primitives. Each kernel computes what
// CpuBackend computes, in the same floating-point operations: the build passes --fmad=false, since Java
// never fuses a multiply and an add, and double precision is used wherever the CPU reference uses it.
// Grid-stride loops over 64-bit element counts; every kernel is extern "C" (its name is its symbol), and
// each has one typed Java launcher in io.hounsfield.kernels.Kernels that checks sizes before launch.
#include <stdint.h>

#define GRID_STRIDE(i, n) for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                               i += (long long) blockDim.x * gridDim.x)

// ---- conversion to float32 (the device's working type: int16 CT and uint16 MR convert exactly) ------
#define CONVERT(NAME, T)                                                                   \
    extern "C" __global__ void NAME(const T *__restrict__ src, float *__restrict__ dst, long long n) { \
        GRID_STRIDE(i, n) { dst[i] = (float) src[i]; }                                      \
    }
CONVERT(hf_u8_to_f32, uint8_t)
CONVERT(hf_i16_to_f32, int16_t)
CONVERT(hf_u16_to_f32, uint16_t)
CONVERT(hf_i32_to_f32, int32_t)
CONVERT(hf_f64_to_f32, double)

// ---- crop: dst (dnx, dny, dnz) = src block starting at (x0, y0, z0), x fastest -----------------------
template <typename T>
__device__ __forceinline__ void crop(const T *__restrict__ src, int snx, int sny, int x0, int y0, int z0,
                                     T *__restrict__ dst, int dnx, int dny, int dnz) {
    long long n = (long long) dnx * dny * dnz;
    GRID_STRIDE(i, n) {
        int x = (int) (i % dnx), y = (int) (i / dnx % dny), z = (int) (i / ((long long) dnx * dny));
        dst[i] = src[((long long) (z + z0) * sny + (y + y0)) * snx + (x + x0)];
    }
}

extern "C" __global__ void hf_crop_f32(const float *__restrict__ src, int snx, int sny, int x0, int y0, int z0,
                                       float *__restrict__ dst, int dnx, int dny, int dnz) {
    crop(src, snx, sny, x0, y0, z0, dst, dnx, dny, dnz);
}

extern "C" __global__ void hf_crop_u8(const uint8_t *__restrict__ src, int snx, int sny, int x0, int y0, int z0,
                                      uint8_t *__restrict__ dst, int dnx, int dny, int dnz) {
    crop(src, snx, sny, x0, y0, z0, dst, dnx, dny, dnz);
}

// ---- label maps kept on the device (uint8, x fastest) ------------------------------------------------------
// The box of one label: out = {x0, y0, z0, x1, y1, z1} (inclusive), set before to a value above any index and -1. Eight labels at a time, skipped when none is the label (the zero-byte test of the word XOR the
// label in every byte: exact for "some byte matches"); each block folds its threads' boxes in shared memory, then
// six integer atomics: the same box whatever the order.
__device__ __forceinline__ void bounds_at(int x, int y, int z, int *b) {
    b[0] = min(b[0], x); b[1] = min(b[1], y); b[2] = min(b[2], z);
    b[3] = max(b[3], x); b[4] = max(b[4], y); b[5] = max(b[5], z);
}

__device__ __forceinline__ void bounds_add(long long i, int nx, int ny, int *b) {
    bounds_at((int) (i % nx), (int) (i / nx % ny), (int) (i / ((long long) nx * ny)), b);
}

// Folds each thread's box b (x1 = -1: none) into the block's s_box, then (thread 0, after a barrier) into out.
__device__ __forceinline__ void bounds_fold(const int *b, int *s_box, int *out) {
    if (b[3] >= 0) {
        for (int a = 0; a < 3; a++) {
            atomicMin(&s_box[a], b[a]);
            atomicMax(&s_box[a + 3], b[a + 3]);
        }
    }
    __syncthreads();
    if (threadIdx.x == 0 && s_box[3] >= 0) {
        for (int a = 0; a < 3; a++) {
            atomicMin(&out[a], s_box[a]);
            atomicMax(&out[a + 3], s_box[a + 3]);
        }
    }
}

extern "C" __global__ void hf_label_bounds(const uint8_t *__restrict__ m, long long n, int nx, int ny, int label,
                                           int *__restrict__ out) {
    __shared__ int s_box[6];
    if (threadIdx.x < 6) s_box[threadIdx.x] = threadIdx.x < 3 ? 0x7FFFFFFF : -1;
    __syncthreads();
    int b[6] = {0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, -1, -1, -1};
    const unsigned long long ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    unsigned long long pattern = (unsigned long long) (label & 0xFF) * ones;
    const unsigned long long *words = (const unsigned long long *) m;
    long long nw = n >> 3;
    GRID_STRIDE(k, nw) {
        unsigned long long w = words[k] ^ pattern;
        if (((w - ones) & ~w & highs) != 0) {
            for (int j = 0; j < 8; j++) {
                if (m[8 * k + j] == label) bounds_add(8 * k + j, nx, ny, b);
            }
        }
    }
    long long t = (long long) blockIdx.x * blockDim.x + threadIdx.x, tail = (nw << 3) + t;
    if (tail < n && m[tail] == label) bounds_add(tail, nx, ny, b); // the last n % 8 labels, one thread each
    bounds_fold(b, s_box, out);
}

// One byte per voxel of a box (bnx x bny x bnz at x0, y0, z0 of the map; it may reach outside the map, which
// reads as 0): 1 where the map holds the label. An ROI's bytes, and its box grown by one (the mesh's occupancy).
extern "C" __global__ void hf_label_box(const uint8_t *__restrict__ m, int nx, int ny, int nz, int label, int x0, int y0,
                                        int z0, int bnx, int bny, int bnz, uint8_t *__restrict__ out) {
    long long n = (long long) bnx * bny * bnz;
    GRID_STRIDE(i, n) {
        int x = x0 + (int) (i % bnx), y = y0 + (int) (i / bnx % bny), z = z0 + (int) (i / ((long long) bnx * bny));
        bool in = x >= 0 && x < nx && y >= 0 && y < ny && z >= 0 && z < nz;
        out[i] = in && m[x + (long long) nx * (y + (long long) ny * z)] == label ? 1 : 0;
    }
}

// ---- resampling ---------------------------------------------------------------------------------------
// m: 12 doubles, row-major 3x4, target voxel index -> source continuous index (q_r = m0 x + m1 y + m2 z + m3,
// summed in that order). Points outside the source take the nearest edge voxel (clamped index), as on the CPU.
__device__ __forceinline__ double clampd(double v, int hi) { return v < 0 ? 0 : v > hi ? (double) hi : v; }

// Java's Math.round: nearest, ties towards positive infinity.
__device__ __forceinline__ int java_round(double v) {
    double f = floor(v);
    return (int) f + (v - f >= 0.5 ? 1 : 0);
}

// Target voxel i of a block (dnx x dny, starting at ox, oy, oz) mapped through the index map m into the source's
// index space, clamped to the source grid: the CPU's resampling arithmetic, in the same order.
__device__ __forceinline__ void source_point(long long i, int dnx, int dny, int ox, int oy, int oz, const double *__restrict__ m,
                                             int snx, int sny, int snz, double &qx, double &qy, double &qz) {
    double x = (double) (i % dnx + ox), y = (double) (i / dnx % dny + oy), z = (double) (i / ((long long) dnx * dny) + oz);
    qx = clampd(m[0] * x + m[1] * y + m[2] * z + m[3], snx - 1);
    qy = clampd(m[4] * x + m[5] * y + m[6] * z + m[7], sny - 1);
    qz = clampd(m[8] * x + m[9] * y + m[10] * z + m[11], snz - 1);
}

// IBSI 2.7's grey levels, as the CPU computes them. Fixed bin number: min(Ng, floor(Ng (x - lo) / (hi - lo)) + 1),
// lo and hi the ROI minimum and maximum, all 1 when hi == lo. Fixed bin size: floor((x - low) / width) + 1.
__device__ __forceinline__ int fbn_level(double x, double lo, double hi, int ng) {
    return hi == lo ? 1 : min(ng, (int) floor(ng * (x - lo) / (hi - lo)) + 1);
}

__device__ __forceinline__ int fbs_level(double x, double low, double width) {
    return (int) floor((x - low) / width) + 1;
}

// The weight of trilinear corner k (bit 0: x + 1, bit 1: y + 1, bit 2: z + 1) for fractions fx, fy, fz.
__device__ __forceinline__ double trilinear_weight(int k, double fx, double fy, double fz) {
    return ((k & 1) ? fx : 1 - fx) * ((k >> 1 & 1) ? fy : 1 - fy) * ((k >> 2 & 1) ? fz : 1 - fz);
}

// dst is the block of the target grid starting at target voxel (ox, oy, oz): its voxels are mapped with their
// target indices, so a block equals the same voxels of a whole-grid resampling bit for bit.
extern "C" __global__ void hf_resample_f32(const float *__restrict__ src, int snx, int sny, int snz,
                                           const double *__restrict__ m, float *__restrict__ dst,
                                           int dnx, int dny, int dnz, int ox, int oy, int oz, int trilinear) {
    long long n = (long long) dnx * dny * dnz;
    GRID_STRIDE(i, n) {
        double qx, qy, qz;
        source_point(i, dnx, dny, ox, oy, oz, m, snx, sny, snz, qx, qy, qz);
        if (!trilinear) {
            dst[i] = src[((long long) java_round(qz) * sny + java_round(qy)) * snx + java_round(qx)];
            continue;
        }
        int x0 = (int) floor(qx), y0 = (int) floor(qy), z0 = (int) floor(qz);
        double fx = qx - x0, fy = qy - y0, fz = qz - z0, s = 0;
        for (int k = 0; k < 8; k++) {
            double w = trilinear_weight(k, fx, fy, fz);
            if (w != 0) {
                int xx = min(x0 + (k & 1), snx - 1), yy = min(y0 + (k >> 1 & 1), sny - 1), zz = min(z0 + (k >> 2 & 1), snz - 1);
                s += w * (double) src[((long long) zz * sny + yy) * snx + xx];
            }
        }
        dst[i] = (float) s;
    }
}

// ---- a label resampled by IBSI's partial-volume rule: its 0/1 indicator interpolated trilinearly as
// hf_resample_f32 does (same index map, weights and order), rounded to float, kept where >= 0.5. The indicator
// is given only over the source box [bx0, bx0 + bnx) x [by0, ..) x [bz0, ..) that holds the label; it is 0
// elsewhere. Output: label or 0 per voxel of the block (ox, oy, oz) of the target grid. --------------------
extern "C" __global__ void hf_resample_label(const uint8_t *__restrict__ ind, int bx0, int by0, int bz0, int bnx, int bny, int bnz,
                                             int snx, int sny, int snz, const double *__restrict__ m, uint8_t *__restrict__ dst,
                                             int dnx, int dny, int dnz, int ox, int oy, int oz, int label) {
    long long n = (long long) dnx * dny * dnz;
    GRID_STRIDE(i, n) {
        double qx, qy, qz;
        source_point(i, dnx, dny, ox, oy, oz, m, snx, sny, snz, qx, qy, qz);
        int x0 = (int) floor(qx), y0 = (int) floor(qy), z0 = (int) floor(qz);
        double fx = qx - x0, fy = qy - y0, fz = qz - z0, s = 0;
        for (int k = 0; k < 8; k++) {
            double w = trilinear_weight(k, fx, fy, fz);
            if (w != 0) {
                int lx = min(x0 + (k & 1), snx - 1) - bx0, ly = min(y0 + (k >> 1 & 1), sny - 1) - by0, lz = min(z0 + (k >> 2 & 1), snz - 1) - bz0;
                bool in = lx >= 0 && lx < bnx && ly >= 0 && ly < bny && lz >= 0 && lz < bnz;
                s += w * (double) (in ? ind[((long long) lz * bny + ly) * bnx + lx] : 0);
            }
        }
        dst[i] = (float) s >= 0.5f ? (uint8_t) label : 0;
    }
}

// ---- an ROI's grey levels straight from the image: re-segmentation and discretisation into the texture
// builders' padded slab. roi: 1 per voxel of the label in the box (bnx x bny x bnz at x0, y0, z0 of an image of
// rows nx, slices nx*ny); levels / morph: the box grown by one voxel on every side, zeroed before; each box voxel
// writes its level (1..ng inside the label and lo <= v <= hi, else 0) and whether it is in the label. Levels:
// fixed bin number (fbn: min(ng, floor(ng (v - a) / (b - a)) + 1), 1 when b == a) or fixed bin size
// (floor((v - a) / b) + 1), as the CPU computes them. ---------------------------------------------------------
extern "C" __global__ void hf_level_slab(const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny,
                                         int bnz, const uint8_t *__restrict__ roi, double lo, double hi, int fbn, double a,
                                         double b, int ng, int *__restrict__ levels, uint8_t *__restrict__ morph) {
    long long n = (long long) bnx * bny * bnz;
    GRID_STRIDE(i, n) {
        int x = (int) (i % bnx), y = (int) (i / bnx % bny), z = (int) (i / ((long long) bnx * bny));
        long long p = (x + 1) + (long long) (bnx + 2) * ((y + 1) + (long long) (bny + 2) * (z + 1));
        int in = roi[i] != 0;
        double v = img[(x0 + x) + (long long) nx * ((y0 + y) + (long long) ny * (z0 + z))];
        int g = 0;
        if (in && v >= lo && v <= hi) {
            g = fbn ? fbn_level(v, a, b, ng) : fbs_level(v, a, b);
        }
        levels[p] = g;
        morph[p] = (uint8_t) in;
    }
}

// Each interior slice's intensity-mask voxels (level > 0) of a padded slab (px x py x pz, the box grown by one): one
// thread per interior row adds its count to counts[z - 1] (uint64, zeroed before) — integers, any order.
extern "C" __global__ void hf_slab_slice_counts(const int *__restrict__ levels, int px, int py, int pz,
                                                unsigned long long *__restrict__ counts) {
    long long rows = (long long) (py - 2) * (pz - 2);
    GRID_STRIDE(r, rows) {
        int y = 1 + (int) (r % (py - 2)), z = 1 + (int) (r / (py - 2));
        const int *row = levels + ((long long) z * py + y) * px;
        unsigned long long n = 0;
        for (int x = 1; x < px - 1; x++) n += row[x] > 0;
        if (n) atomicAdd(&counts[z - 1], n);
    }
}

// ---- re-segmentation: out = 1 where mask == label and lo <= v <= hi (NaN bounds: unbounded) ---------------
extern "C" __global__ void hf_range_mask(const float *__restrict__ v, const uint8_t *__restrict__ mask, int label,
                                         long long n, double lo, double hi, uint8_t *__restrict__ out) {
    GRID_STRIDE(i, n) {
        double x = v[i];
        out[i] = mask[i] == label && !(x < lo) && !(x > hi) ? 1 : 0;
    }
}

// ---- rounding to whole numbers, in place, half to even (Java's Math.rint) ---------------------------------------
extern "C" __global__ void hf_round_f32(float *__restrict__ v, long long n) {
    GRID_STRIDE(i, n) {
        v[i] = (float) rint((double) v[i]);
    }
}

// ---- intensity clip, in place: v = min(max(v, lo), hi) (NaN bound: none) -------------------------------------
extern "C" __global__ void hf_clip_f32(float *__restrict__ v, long long n, double lo, double hi) {
    GRID_STRIDE(i, n) {
        double x = v[i];
        if (x < lo) x = lo;
        if (x > hi) x = hi;
        v[i] = (float) x;
    }
}

// ---- discretisation (IBSI 2.7), 0 outside the mask: fbn_level / fbs_level per voxel ------------------------
extern "C" __global__ void hf_discretise_fbn(const float *__restrict__ v, const uint8_t *__restrict__ mask, long long n,
                                             double lo, double hi, int ng, int *__restrict__ out) {
    GRID_STRIDE(i, n) {
        out[i] = mask[i] ? fbn_level((double) v[i], lo, hi, ng) : 0;
    }
}

extern "C" __global__ void hf_discretise_fbs(const float *__restrict__ v, const uint8_t *__restrict__ mask, long long n,
                                             double low, double width, int *__restrict__ out) {
    GRID_STRIDE(i, n) {
        out[i] = mask[i] ? fbs_level((double) v[i], low, width) : 0;
    }
}

// ---- masked reductions: count, min, max, sum, sum of squares, in float64 ----------------------------------
// Pass 1: each block reduces a fixed, contiguous range of elements (a range that depends on n and the grid
// only) into partial[5 * block]; pass 2 (one block) adds the partials in block order. No atomics: the same
// launch gives the same bits every run.
#define REDUCE_THREADS 256

extern "C" __global__ void hf_masked_partials(const float *__restrict__ v, const uint8_t *__restrict__ mask, long long n,
                                              double *__restrict__ partial) {
    __shared__ double s_cnt[REDUCE_THREADS], s_min[REDUCE_THREADS], s_max[REDUCE_THREADS], s_sum[REDUCE_THREADS], s_sq[REDUCE_THREADS];
    long long per = (n + gridDim.x - 1) / gridDim.x;
    long long from = (long long) blockIdx.x * per, to = from + per < n ? from + per : n;
    double cnt = 0, mn = __longlong_as_double(0x7ff0000000000000LL), mx = -mn, sum = 0, sq = 0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
        if (mask[i]) {
            double x = v[i];
            cnt += 1;
            mn = fmin(mn, x);
            mx = fmax(mx, x);
            sum += x;
            sq += x * x;
        }
    }
    int t = threadIdx.x;
    s_cnt[t] = cnt; s_min[t] = mn; s_max[t] = mx; s_sum[t] = sum; s_sq[t] = sq;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (t < stride) {
            s_cnt[t] += s_cnt[t + stride];
            s_min[t] = fmin(s_min[t], s_min[t + stride]);
            s_max[t] = fmax(s_max[t], s_max[t + stride]);
            s_sum[t] += s_sum[t + stride];
            s_sq[t] += s_sq[t + stride];
        }
        __syncthreads();
    }
    if (t == 0) {
        double *p = partial + 5 * (long long) blockIdx.x;
        p[0] = s_cnt[0]; p[1] = s_min[0]; p[2] = s_max[0]; p[3] = s_sum[0]; p[4] = s_sq[0];
    }
}

extern "C" __global__ void hf_reduce_partials(const double *__restrict__ partial, int blocks, double *__restrict__ out) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double cnt = 0, mn = __longlong_as_double(0x7ff0000000000000LL), mx = -mn, sum = 0, sq = 0;
    for (int b = 0; b < blocks; b++) {
        const double *p = partial + 5 * (long long) b;
        cnt += p[0]; mn = fmin(mn, p[1]); mx = fmax(mx, p[2]); sum += p[3]; sq += p[4];
    }
    out[0] = cnt; out[1] = mn; out[2] = mx; out[3] = sum; out[4] = sq;
}

// ---- masked histogram of grey levels 1..nbins (levels outside are ignored) --------------------------------
// Per-block histograms in shared memory (nbins <= 4096), then one atomic add per bin and block: integer
// counts, so the result does not depend on the order.
extern "C" __global__ void hf_histogram(const int *__restrict__ levels, long long n, int nbins,
                                        unsigned long long *__restrict__ hist) {
    extern __shared__ unsigned int s_hist[];
    for (int b = threadIdx.x; b < nbins; b += blockDim.x) s_hist[b] = 0;
    __syncthreads();
    GRID_STRIDE(i, n) {
        int g = levels[i];
        if (g >= 1 && g <= nbins) atomicAdd(&s_hist[g - 1], 1u);
    }
    __syncthreads();
    for (int b = threadIdx.x; b < nbins; b += blockDim.x) {
        if (s_hist[b]) atomicAdd(&hist[b], (unsigned long long) s_hist[b]);
    }
}

// ==== texture matrices (IBSI 3.6-3.11) ======================================================================
// Input: the grey levels of slices z0..z1-1 of an ROI box with one voxel of level 0 all round (px = nx + 2,
// py = ny + 2, n = px * py * (nz + 2) ints), exactly the CPU's padded slab, so a neighbour is a fixed offset
// away and a voxel of the ROI (level > 0) is never on the pad. Every result is an integer count made by
// integer atomics: it does not depend on the order the threads run in, and equals the CPU's count.

__device__ __forceinline__ int hf_off(int px, int py, int dx, int dy, int dz) { return dx + px * (dy + py * dz); }

// GLCM (3.6): for ROI voxel p and its neighbour p + off in the ROI, counts (a, b) and (b, a); m is ng x ng
// uint64. With use_shared, each block counts into ng * ng uint32 in shared memory first (the launcher sets
// it when they fit, and then launches few blocks, since each adds its ng * ng counters to m once).
__device__ __forceinline__ void glcm_counts(const int *__restrict__ lv, long long n, int off, int ng, int use_shared,
                                            unsigned long long *__restrict__ m) {
    extern __shared__ unsigned int s_m[];
    int cells = ng * ng;
    if (use_shared) {
        for (int k = threadIdx.x; k < cells; k += blockDim.x) s_m[k] = 0;
        __syncthreads();
    }
    GRID_STRIDE(p, n) {
        int a = lv[p];
        if (a == 0) continue;
        int b = lv[p + off];
        if (b == 0) continue;
        int ij = (a - 1) * ng + (b - 1), ji = (b - 1) * ng + (a - 1);
        if (use_shared) {
            atomicAdd(&s_m[ij], 1u);
            atomicAdd(&s_m[ji], 1u);
        } else {
            atomicAdd(&m[ij], 1ull);
            atomicAdd(&m[ji], 1ull);
        }
    }
    if (use_shared) {
        __syncthreads();
        for (int k = threadIdx.x; k < cells; k += blockDim.x) {
            if (s_m[k]) atomicAdd(&m[k], (unsigned long long) s_m[k]);
        }
    }
}

extern "C" __global__ void hf_glcm(const int *__restrict__ lv, long long n, int off, int ng, int use_shared,
                                   unsigned long long *__restrict__ m) {
    glcm_counts(lv, n, off, ng, use_shared, m);
}

// Several directions in one launch: blockIdx.y picks the direction (offs[y]) and its matrix, m + y * ng * ng.
extern "C" __global__ void hf_glcm_dirs(const int *__restrict__ lv, long long n, const int *__restrict__ offs, int ng,
                                        int use_shared, unsigned long long *__restrict__ m) {
    glcm_counts(lv, n, offs[blockIdx.y], ng, use_shared, m + (long long) blockIdx.y * ng * ng);
}

// GLRLM (3.7): a run starts at ROI voxel p when p - off has another level; its thread walks the run and
// counts (a, length) in m (ng x max_run uint64).
__device__ __forceinline__ void glrlm_counts(const int *__restrict__ lv, long long n, int off, int max_run,
                                             unsigned long long *__restrict__ m) {
    GRID_STRIDE(p, n) {
        int a = lv[p];
        if (a == 0 || lv[p - off] == a) continue;
        int len = 1;
        for (long long q = p + off; lv[q] == a; q += off) len++;
        atomicAdd(&m[(long long) (a - 1) * max_run + (len - 1)], 1ull);
    }
}

extern "C" __global__ void hf_glrlm(const int *__restrict__ lv, long long n, int off, int max_run,
                                    unsigned long long *__restrict__ m) {
    glrlm_counts(lv, n, off, max_run, m);
}

// Several directions in one launch: blockIdx.y picks the direction and its matrix, m + y * cells (cells = ng * max_run).
extern "C" __global__ void hf_glrlm_dirs(const int *__restrict__ lv, long long n, const int *__restrict__ offs, int max_run,
                                         long long cells, unsigned long long *__restrict__ m) {
    glrlm_counts(lv, n, offs[blockIdx.y], max_run, m + blockIdx.y * cells);
}

// NGTDM (3.10) as integer counts: for ROI voxel p of level a whose w neighbours in the ROI (26 in 3D, 8 in a
// slice) total t, c[(a - 1) * 27] += 1 and c[(a - 1) * 27 + w] += |a w - t| (w > 0).
__device__ __forceinline__ void ngtdm_at(const int *__restrict__ lv, long long p, int px, int py, int three_d,
                                         unsigned long long *__restrict__ c) {
    int a = lv[p];
    if (a == 0) return;
    int dz0 = three_d ? -1 : 0, dz1 = three_d ? 1 : 0;
    long long total = 0;
    int w = 0;
    for (int dz = dz0; dz <= dz1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                if ((dx | dy | dz) == 0) continue;
                int b = lv[p + hf_off(px, py, dx, dy, dz)];
                total += b;
                w += b > 0;
            }
    if (w > 0) {
        long long d = (long long) a * w - total;
        atomicAdd(&c[(long long) (a - 1) * 27], 1ull);
        atomicAdd(&c[(long long) (a - 1) * 27 + w], (unsigned long long) (d < 0 ? -d : d));
    }
}

extern "C" __global__ void hf_ngtdm(const int *__restrict__ lv, long long n, int px, int py, int three_d,
                                    unsigned long long *__restrict__ c) {
    GRID_STRIDE(p, n) { ngtdm_at(lv, p, px, py, three_d, c); }
}

// NGLDM (3.11): k = 1 + the neighbours whose level differs by at most alpha (alpha 0: equal levels);
// counts (a, k) in m (ng x cols uint64, cols = neighbours + 1).
__device__ __forceinline__ void ngldm_at(const int *__restrict__ lv, long long p, int px, int py, int three_d, int alpha,
                                         int cols, unsigned long long *__restrict__ m) {
    int a = lv[p];
    if (a == 0) return;
    int dz0 = three_d ? -1 : 0, dz1 = three_d ? 1 : 0;
    int k = 1;
    for (int dz = dz0; dz <= dz1; dz++)
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                if ((dx | dy | dz) == 0) continue;
                int b = lv[p + hf_off(px, py, dx, dy, dz)];
                k += alpha == 0 ? b == a : (b > 0 && abs(b - a) <= alpha);
            }
    atomicAdd(&m[(long long) (a - 1) * cols + (k - 1)], 1ull);
}

extern "C" __global__ void hf_ngldm(const int *__restrict__ lv, long long n, int px, int py, int three_d, int alpha,
                                    int cols, unsigned long long *__restrict__ m) {
    GRID_STRIDE(p, n) { ngldm_at(lv, p, px, py, three_d, alpha, cols, m); }
}

// NGTDM and NGLDM of each slice (in-plane neighbours) over the whole grid's slab in one launch: the counts of padded
// slice z go to c + slot_of[z] * cells (slot -1: none).
extern "C" __global__ void hf_ngtdm_slices(const int *__restrict__ lv, long long n, int px, int py, const int *__restrict__ slot_of,
                                           long long cells, unsigned long long *__restrict__ c) {
    long long plane = (long long) px * py;
    GRID_STRIDE(p, n) {
        int slot = slot_of[p / plane];
        if (slot >= 0) ngtdm_at(lv, p, px, py, 0, c + slot * cells);
    }
}

extern "C" __global__ void hf_ngldm_slices(const int *__restrict__ lv, long long n, int px, int py, int alpha,
                                           const int *__restrict__ slot_of, long long cells, unsigned long long *__restrict__ m) {
    long long plane = (long long) px * py;
    GRID_STRIDE(p, n) {
        int slot = slot_of[p / plane];
        if (slot >= 0) ngldm_at(lv, p, px, py, 0, alpha, 9, m + slot * cells);
    }
}

// ---- zones (GLSZM 3.8, GLDZM 3.9): connected ROI voxels of equal level, 26-connected in 3D, 8 in a slice -----
// Union-find over voxel indices with lock-free linking (the larger root is hooked under the smaller by
// atomicMin; a hook that loses a race goes on with the root it found, so no union is lost). Parents only
// ever decrease, so every walk to a root ends. After flattening, each voxel holds its zone's smallest index.
__device__ __forceinline__ int hf_root(const int *L, int x) {
    const volatile int *V = L;
    int y = V[x];
    while (y != x) {
        x = y;
        y = V[x];
    }
    return x;
}

// hf_root with path halving: each voxel on the way is pointed at its grandparent. Only non-roots are written, and
// always with one of their ancestors (parents only decrease), so racing halvings and hooks keep every tree valid;
// without it an unlucky order of unions builds chains as long as the zone (the emulator's reversed runs did).
__device__ __forceinline__ int hf_find(int *L, int x) {
    volatile int *V = L;
    int y = V[x];
    while (y != x) {
        int z = V[y];
        if (z != y) V[x] = z;
        x = y;
        y = z == y ? y : V[x];
    }
    return x;
}

__device__ void hf_unite(int *L, int a, int b) {
    while (true) {
        a = hf_find(L, a);
        b = hf_find(L, b);
        if (a == b) return;
        if (a < b) {
            int t = a;
            a = b;
            b = t;
        }
        int old = atomicMin(&L[a], b);
        if (old == a) return;
        a = old;
    }
}

// L[p] = p for ROI voxels, -1 elsewhere.
extern "C" __global__ void hf_zone_init(const int *__restrict__ lv, long long n, int *__restrict__ L) {
    GRID_STRIDE(p, n) { L[p] = lv[p] ? (int) p : -1; }
}

// Unites each ROI voxel with its earlier neighbours (in x-fastest order) of the same level.
extern "C" __global__ void hf_zone_merge(const int *__restrict__ lv, long long n, int px, int py, int three_d, int *L) {
    int dz0 = three_d ? -1 : 0;
    GRID_STRIDE(p, n) {
        int a = lv[p];
        if (a == 0) continue;
        for (int dz = dz0; dz <= 0; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    bool earlier = dz < 0 || (dz == 0 && (dy < 0 || (dy == 0 && dx < 0)));
                    if (!earlier) continue;
                    long long q = p + hf_off(px, py, dx, dy, dz);
                    if (lv[q] == a) hf_unite(L, (int) p, (int) q);
                }
    }
}

// Every ROI voxel points at its zone's root; the root's size is counted.
extern "C" __global__ void hf_zone_flatten(long long n, int *L, unsigned int *__restrict__ size) {
    GRID_STRIDE(p, n) {
        if (L[p] < 0) continue;
        int r = hf_root(L, (int) p);
        L[p] = r;
        atomicAdd(&size[r], 1u);
    }
}

// Distance to the ROI edge (3.9) of the morphological mask: 1 where a face neighbour (6 in 3D, 4 in a slice) is
// outside the mask (the pad is outside), 0 outside the mask, "infinite" elsewhere until relaxed.
extern "C" __global__ void hf_edge_init(const unsigned char *__restrict__ morph, long long n, int px, int py, int three_d,
                                        int *__restrict__ dist) {
    GRID_STRIDE(p, n) {
        if (!morph[p]) {
            dist[p] = 0;
            continue;
        }
        bool edge = !morph[p + 1] || !morph[p - 1] || !morph[p + px] || !morph[p - px];
        if (three_d) edge = edge || !morph[p + (long long) px * py] || !morph[p - (long long) px * py];
        dist[p] = edge ? 1 : 0x7fffffff;
    }
}

// One relaxation sweep: d(p) = min(d(p), 1 + min over face neighbours in the mask). Sweeps repeat until nothing
// changes (*changed stays 0); the fixed point is the breadth-first distance the CPU computes.
extern "C" __global__ void hf_edge_relax(const unsigned char *__restrict__ morph, long long n, int px, int py, int three_d,
                                         int *dist, int *changed) {
    GRID_STRIDE(p, n) {
        if (!morph[p]) continue;
        int d = dist[p];
        if (d <= 1) continue;
        long long plane = (long long) px * py;
        int best = min(min(dist[p + 1], dist[p - 1]), min(dist[p + px], dist[p - px]));
        if (three_d) best = min(best, min(dist[p + plane], dist[p - plane]));
        // Neighbours outside the mask hold 0 but are not paths: an edge voxel already holds 1, and an inner
        // voxel has every face neighbour in the mask, so a 0 is never read here.
        if (best != 0x7fffffff && best + 1 < d) {
            dist[p] = best + 1;
            *changed = 1;
        }
    }
}

// Each zone's smallest edge distance (at least 1), at its root.
extern "C" __global__ void hf_zone_distance(long long n, const int *__restrict__ L, const int *__restrict__ dist,
                                            int *__restrict__ zd) {
    GRID_STRIDE(p, n) {
        int r = L[p];
        if (r < 0) continue;
        atomicMin(&zd[r], max(1, dist[p]));
    }
}

// One key per zone, (level << 32 | value[root]), appended in any order (the host sorts them); *count is the
// number of keys.
extern "C" __global__ void hf_zone_keys(const int *__restrict__ lv, long long n, const int *__restrict__ L,
                                        const unsigned int *__restrict__ value, unsigned int *__restrict__ count,
                                        unsigned long long *__restrict__ keys) {
    GRID_STRIDE(p, n) {
        if (L[p] != (int) p) continue;
        unsigned int k = atomicAdd(count, 1u);
        keys[k] = (unsigned long long) lv[p] << 32 | value[p];
    }
}

// ==== local intensity (IBSI 3.2): the mean of each centre's 1 cm^3 sphere ====================================
// block: the image block any sphere touches (w x rows_y x rows_z floats, x fastest), as doubles are summed on the
// CPU. One thread per row writes the row's prefix sums (prefix[row * (w + 1) + k] = sum of its first k voxels),
// sequentially, as the CPU does.
extern "C" __global__ void hf_row_prefix(const float *__restrict__ block, int w, long long rows, double *__restrict__ prefix) {
    GRID_STRIDE(r, rows) {
        const float *src = block + r * w;
        double *dst = prefix + r * (w + 1);
        double acc = 0;
        dst[0] = 0;
        for (int x = 0; x < w; x++) {
            acc += (double) src[x];
            dst[x + 1] = acc;
        }
    }
}

// A sphere's layout (SphereLayout.packed): SPHERE_HEADER ints {nchords, nx, ny, nz (the image), bx0, by0, bz0,
// rows_y, stride (the block's origin and rows), rx, ry, rz (the reach), interior (the voxels of an unclipped
// sphere)}, then per chord dy, dz, half-width in x, row offset in the prefix array (4 x nchords ints, by kind).
#define SPHERE_HEADER 13

// The mean of the sphere centred at image voxel (x, y, z), summed chord by chord in the CPU's order. A sphere
// wholly inside the image divides by the fixed count interior; a clipped one by the voxels it keeps.
__device__ __forceinline__ double sphere_mean(const double *__restrict__ prefix, const int *__restrict__ L, int x, int y, int z) {
    int nchords = L[0], nx = L[1], ny = L[2], nz = L[3], bx0 = L[4], by0 = L[5], bz0 = L[6], rows_y = L[7], stride = L[8];
    int rx = L[9], ry = L[10], rz = L[11], interior = L[12];
    const int *cy = L + SPHERE_HEADER, *cz = cy + nchords, *half = cz + nchords, *row_off = half + nchords;
    long long row = ((long long) (z - bz0) * rows_y + (y - by0)) * stride;
    int bx = x - bx0;
    double sum = 0;
    if (x - rx >= 0 && x + rx < nx && y - ry >= 0 && y + ry < ny && z - rz >= 0 && z + rz < nz) {
        for (int k = 0; k < nchords; k++) {
            long long at = row + row_off[k] + bx;
            sum += prefix[at + half[k] + 1] - prefix[at - half[k]];
        }
        return sum / interior;
    }
    long long n = 0;
    for (int k = 0; k < nchords; k++) {
        int py = y + cy[k], pz = z + cz[k];
        if (py < 0 || py >= ny || pz < 0 || pz >= nz) continue;
        int xa = max(0, x - half[k]), xb = min(nx - 1, x + half[k]);
        long long at = row + row_off[k] - bx0;
        sum += prefix[at + xb + 1] - prefix[at + xa];
        n += xb - xa + 1;
    }
    return sum / n;
}

// One thread per centre (a voxel index of the image).
extern "C" __global__ void hf_sphere_means(const double *__restrict__ prefix, const long long *__restrict__ centres,
                                           long long ncentres, const int *__restrict__ layout, double *__restrict__ out) {
    int nx = layout[1], ny = layout[2];
    GRID_STRIDE(c, ncentres) {
        long long i = centres[c];
        out[c] = sphere_mean(prefix, layout, (int) (i % nx), (int) (i / nx % ny), (int) (i / ((long long) nx * ny)));
    }
}

// Order-preserving unsigned keys: a < b exactly when key(a) < key(b) (not NaN), so integer max atomics find the
// largest value whatever the order. Key 0 lies below every value's.
__device__ __forceinline__ unsigned long long double_key(double d) {
    long long b = __double_as_longlong(d);
    return b >= 0 ? (unsigned long long) b | 0x8000000000000000ULL : ~(unsigned long long) b;
}

__device__ __forceinline__ int float_key(float f) {
    int b = __float_as_int(f);
    return b >= 0 ? b : b ^ 0x7FFFFFFF;
}

// Box voxel i of an intensity mask — the voxels of a box (bnx x bny at x0, y0, z0) of a float32 image (rows nx,
// slices nx*ny) that are in the ROI (roi: one byte per box voxel) with lo <= v <= hi: whether it is one, where, its value.
__device__ __forceinline__ bool intensity_voxel(long long i, const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0,
                                                int bnx, int bny, const uint8_t *__restrict__ roi, double lo, double hi,
                                                int &x, int &y, int &z, float &v) {
    if (!roi[i]) return false;
    x = x0 + (int) (i % bnx); y = y0 + (int) (i / bnx % bny); z = z0 + (int) (i / ((long long) bnx * bny));
    v = img[x + (long long) nx * (y + (long long) ny * z)];
    return (double) v >= lo && (double) v <= hi;
}

// The intensity mask's extent in a box of a float32 image (rows nx, slices nx*ny; the box bnx x bny x bnz at x0, y0,
// z0, roi one byte per box voxel): voxels in the ROI with lo <= v <= hi. ext = {x0, y0, z0, x1, y1, z1} (image
// indices, inclusive; set before to a large value and -1) and ext[6] the largest float_key of their values (set
// before to INT_MIN).
extern "C" __global__ void hf_mask_extent(const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx,
                                          int bny, int bnz, const uint8_t *__restrict__ roi, double lo, double hi,
                                          int *__restrict__ ext) {
    __shared__ int s_ext[7];
    if (threadIdx.x < 7) s_ext[threadIdx.x] = threadIdx.x < 3 ? 0x7FFFFFFF : threadIdx.x < 6 ? -1 : (int) 0x80000000;
    __syncthreads();
    int b[6] = {0x7FFFFFFF, 0x7FFFFFFF, 0x7FFFFFFF, -1, -1, -1}, top = (int) 0x80000000;
    long long n = (long long) bnx * bny * bnz;
    GRID_STRIDE(i, n) {
        int x, y, z;
        float v;
        if (!intensity_voxel(i, img, nx, ny, x0, y0, z0, bnx, bny, roi, lo, hi, x, y, z, v)) continue;
        bounds_at(x, y, z, b);
        top = max(top, float_key(v));
    }
    if (b[3] >= 0) atomicMax(&s_ext[6], top);
    bounds_fold(b, s_ext, ext); // its barrier orders the maximum's shared atomic before thread 0 reads it
    if (threadIdx.x == 0 && s_ext[3] >= 0) atomicMax(&ext[6], s_ext[6]);
}

// ---- the ROI's voxel reductions for morphology (io.hounsfield.core.backend.RoiSums) --------------------------------
// Exact index moments of the ROI (roi: one byte per voxel of a box bnx x bny x bnz at x0, y0, z0): out = {n, Si, Sj,
// Sk, Sii, Sij, Sik, Sjj, Sjk, Skk} as uint64 (zeroed before), image indices; per block in shared memory, then one
// atomic add per block and moment. Integers: the same sums in any order.
#define MOMENTS 10
extern "C" __global__ void hf_index_moments(const uint8_t *__restrict__ roi, int x0, int y0, int z0, int bnx, int bny, int bnz,
                                            unsigned long long *__restrict__ out) {
    __shared__ unsigned long long s_m[MOMENTS];
    if (threadIdx.x < MOMENTS) s_m[threadIdx.x] = 0;
    __syncthreads();
    unsigned long long m[MOMENTS] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    long long n = (long long) bnx * bny * bnz;
    GRID_STRIDE(i, n) {
        if (!roi[i]) continue;
        unsigned long long x = x0 + (int) (i % bnx), y = y0 + (int) (i / bnx % bny), z = z0 + (int) (i / ((long long) bnx * bny));
        m[0] += 1; m[1] += x; m[2] += y; m[3] += z;
        m[4] += x * x; m[5] += x * y; m[6] += x * z; m[7] += y * y; m[8] += y * z; m[9] += z * z;
    }
    if (m[0]) {
        for (int k = 0; k < MOMENTS; k++) atomicAdd(&s_m[k], m[k]);
    }
    __syncthreads();
    if (threadIdx.x == 0 && s_m[0]) {
        for (int k = 0; k < MOMENTS; k++) atomicAdd(&out[k], s_m[k]);
    }
}

// The intensity mask's weighted sums row by row (RoiSums.weightedSums): one thread per row (y, z) of the box sums its
// voxels in x order into rows[5 r ..] = {Sw, Sw.i, Sw.j, Sw.k, voxels}; the host adds the non-empty rows in order.
extern "C" __global__ void hf_weighted_rows(const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny,
                                            int bnz, const uint8_t *__restrict__ roi, double lo, double hi, double *__restrict__ rows) {
    long long nrows = (long long) bny * bnz;
    GRID_STRIDE(r, nrows) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, count = 0;
        for (int bx = 0; bx < bnx; bx++) {
            int x, y, z;
            float v;
            if (!intensity_voxel(r * bnx + bx, img, nx, ny, x0, y0, z0, bnx, bny, roi, lo, hi, x, y, z, v)) continue;
            double w = (double) v;
            s0 += w;
            s1 += w * (double) x;
            s2 += w * (double) y;
            s3 += w * (double) z;
            count += 1;
        }
        double *o = rows + 5 * r;
        o[0] = s0; o[1] = s1; o[2] = s2; o[3] = s3; o[4] = count;
    }
}

// The intensity mask's voxels per row of the box (counts[r], r = y + bny z).
extern "C" __global__ void hf_mask_row_counts(const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny,
                                              int bnz, const uint8_t *__restrict__ roi, double lo, double hi, int *__restrict__ counts) {
    long long nrows = (long long) bny * bnz;
    GRID_STRIDE(r, nrows) {
        int c = 0;
        for (int bx = 0; bx < bnx; bx++) {
            int x, y, z;
            float v;
            c += intensity_voxel(r * bnx + bx, img, nx, ny, x0, y0, z0, bnx, bny, roi, lo, hi, x, y, z, v);
        }
        counts[r] = c;
    }
}

// The intensity mask's voxels at ranks (ascending, m of them; a voxel's rank is its position in index order): row r's
// voxels are ranks start[r], start[r] + 1, ...; each one among ranks writes its image index and value at that rank's
// position.
extern "C" __global__ void hf_gather_ranks(const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny,
                                           int bnz, const uint8_t *__restrict__ roi, double lo, double hi,
                                           const int *__restrict__ start, const int *__restrict__ ranks, int m,
                                           long long *__restrict__ idx, double *__restrict__ val) {
    long long nrows = (long long) bny * bnz;
    GRID_STRIDE(r, nrows) {
        int k = start[r];
        for (int bx = 0; bx < bnx; bx++) {
            int x, y, z;
            float v;
            if (!intensity_voxel(r * bnx + bx, img, nx, ny, x0, y0, z0, bnx, bny, roi, lo, hi, x, y, z, v)) continue;
            int a = 0, b = m; // the first rank >= k
            while (a < b) {
                int mid = (a + b) >> 1;
                if (ranks[mid] < k) a = mid + 1; else b = mid;
            }
            if (a < m && ranks[a] == k) {
                idx[a] = x + (long long) nx * (y + (long long) ny * z);
                val[a] = (double) v;
            }
            k++;
        }
    }
}

// IBSI's intensity peaks over the intensity mask of a box (as hf_mask_extent reads it): the sphere mean at each of
// its voxels, reduced to peaks[1] = the largest (global peak) and peaks[0] = the largest among the voxels whose value
// is top (local peak), as double_key (zeroed before). Each block folds its threads' maxima in shared memory first.
extern "C" __global__ void hf_sphere_peaks(const double *__restrict__ prefix, const int *__restrict__ layout,
                                           const float *__restrict__ img, int nx, int ny, int x0, int y0, int z0, int bnx, int bny,
                                           int bnz, const uint8_t *__restrict__ roi, double lo, double hi, double top,
                                           unsigned long long *__restrict__ peaks) {
    __shared__ unsigned long long s_peak[2];
    if (threadIdx.x < 2) s_peak[threadIdx.x] = 0;
    __syncthreads();
    unsigned long long local = 0, global = 0;
    long long n = (long long) bnx * bny * bnz;
    GRID_STRIDE(i, n) {
        int x, y, z;
        float v;
        if (!intensity_voxel(i, img, nx, ny, x0, y0, z0, bnx, bny, roi, lo, hi, x, y, z, v)) continue;
        unsigned long long k = double_key(sphere_mean(prefix, layout, x, y, z));
        global = k > global ? k : global;
        if ((double) v == top && k > local) local = k;
    }
    if (global) {
        atomicMax(&s_peak[1], global);
        if (local) atomicMax(&s_peak[0], local);
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        if (s_peak[1]) atomicMax(&peaks[1], s_peak[1]);
        if (s_peak[0]) atomicMax(&peaks[0], s_peak[0]);
    }
}

// ==== the marching-cubes surface as exact counts (IBSI 3.1; io.hounsfield.core.mesh.SurfaceCounts) ==========
// occ: the label's 0/1 occupancy over its box grown by one voxel all round (px x py x pz bytes, x fastest), as
// MarchingCubes.occupancy makes it. Cube (i, j, k) spans voxels i..i+1, j..j+1, k..k+1; bit c of its
// configuration is corner (c & 1, c >> 1 & 1, c >> 2 & 1). out: 256 x 4 uint64 per configuration (cubes, and the
// sums of their i, j, k), counted in shared memory per block and added to out once per block: integers, so the
// result does not depend on the order the threads run in.
extern "C" __global__ void hf_surface_configs(const unsigned char *__restrict__ occ, int px, int py, int pz,
                                              unsigned long long *__restrict__ out) {
    __shared__ unsigned long long s[256 * 4];
    for (int k = threadIdx.x; k < 256 * 4; k += blockDim.x) s[k] = 0;
    __syncthreads();
    long long cx = px - 1, cy = py - 1, plane = (long long) px * py;
    long long n = cx * cy * (pz - 1);
    GRID_STRIDE(q, n) {
        int i = (int) (q % cx), j = (int) (q / cx % cy), k = (int) (q / (cx * cy));
        const unsigned char *o = occ + k * plane + (long long) j * px + i;
        int c = o[0] | o[1] << 1 | o[px] << 2 | o[px + 1] << 3 | o[plane] << 4 | o[plane + 1] << 5 | o[plane + px] << 6
                | o[plane + px + 1] << 7;
        if (c == 0 || c == 255) continue;
        atomicAdd(&s[4 * c], 1ull);
        atomicAdd(&s[4 * c + 1], (unsigned long long) i);
        atomicAdd(&s[4 * c + 2], (unsigned long long) j);
        atomicAdd(&s[4 * c + 3], (unsigned long long) k);
    }
    __syncthreads();
    for (int k = threadIdx.x; k < 256 * 4; k += blockDim.x) {
        if (s[k]) atomicAdd(&out[k], s[k]);
    }
}

// The two ends of each grid row of surface vertices, in doubled coordinates relative to the padded box: rows
// (Y, Z), rows_y = 2 py - 1; a cut x-edge (voxel i differs from i + 1) lies on row (2j, 2k) at X = 2i + 1, a cut
// y-edge on (2j + 1, 2k) at X = 2i, a cut z-edge on (2j, 2k + 1) at X = 2i. lo and hi (one int per row) start at
// a large value and at -1; min and max do not depend on the order either.
extern "C" __global__ void hf_surface_row_ends(const unsigned char *__restrict__ occ, int px, int py, int pz,
                                               int *__restrict__ lo, int *__restrict__ hi) {
    long long plane = (long long) px * py, n = plane * pz;
    int rows_y = 2 * py - 1;
    GRID_STRIDE(q, n) {
        int i = (int) (q % px), j = (int) (q / px % py), k = (int) (q / plane);
        unsigned char v = occ[q];
        if (i + 1 < px && occ[q + 1] != v) {
            int row = 2 * k * rows_y + 2 * j;
            atomicMin(&lo[row], 2 * i + 1);
            atomicMax(&hi[row], 2 * i + 1);
        }
        if (j + 1 < py && occ[q + px] != v) {
            int row = 2 * k * rows_y + 2 * j + 1;
            atomicMin(&lo[row], 2 * i);
            atomicMax(&hi[row], 2 * i);
        }
        if (k + 1 < pz && occ[q + plane] != v) {
            int row = (2 * k + 1) * rows_y + 2 * j;
            atomicMin(&lo[row], 2 * i);
            atomicMax(&hi[row], 2 * i);
        }
    }
}

// ==== Moran's I and Geary's C (IBSI 3.1.27-28): each row's inverse-distance sums =============================
// p: x, y, z of m points (mm); x: their values. One thread per row i sums over j > i exactly as CpuBackend does
// (w = 1 / sqrt(dx^2 + dy^2 + dz^2); two interleaved partial sums, for even and odd j - i - 1, added at the
// end), and writes rows[i] = sum w, rows[m + i] = (x_i - mean) * sum w (x_j - mean), rows[2m + i] =
// sum w (x_i - x_j)^2. The host adds the rows in the CPU's order: the result is the CPU's, bit for bit
// (IEEE sqrt and division, no fused multiply-adds).
__device__ __forceinline__ double hf_inv_dist(const double *__restrict__ p, double ax, double ay, double az, long long j) {
    double ex = ax - p[3 * j], ey = ay - p[3 * j + 1], ez = az - p[3 * j + 2];
    return 1 / sqrt(ex * ex + ey * ey + ez * ez);
}

extern "C" __global__ void hf_inverse_distance_rows(const double *__restrict__ p, const double *__restrict__ x, long long m,
                                                    double mean, double *__restrict__ rows) {
    GRID_STRIDE(i, m) {
        double xi = x[i], ax = p[3 * i], ay = p[3 * i + 1], az = p[3 * i + 2];
        double w0 = 0, m0 = 0, g0 = 0, w1 = 0, m1 = 0, g1 = 0;
        long long j = i + 1;
        for (; j + 1 < m; j += 2) {
            double wa = hf_inv_dist(p, ax, ay, az, j), wb = hf_inv_dist(p, ax, ay, az, j + 1);
            double xa = x[j], xb = x[j + 1], da = xi - xa, db = xi - xb;
            w0 += wa;
            m0 += wa * (xa - mean);
            g0 += wa * da * da;
            w1 += wb;
            m1 += wb * (xb - mean);
            g1 += wb * db * db;
        }
        if (j < m) {
            double w = hf_inv_dist(p, ax, ay, az, j), d = xi - x[j];
            w0 += w;
            m0 += w * (x[j] - mean);
            g0 += w * d * d;
        }
        rows[i] = w0 + w1;
        rows[m + i] = (xi - mean) * (m0 + m1);
        rows[2 * m + i] = g0 + g1;
    }
}

// ==== first-order families: the intensity mask's values and their counts (integral images) ====================
// img: float32 copy of an integral image (int16, uint16, uint8: exact), snx x sny per slice; the box (x0, y0, z0)
// + (bx, by, bz) with in (bx * by * bz bytes, 1 for a voxel of the label). Counts each voxel of the label whose
// value v lies in [lo, hi] in hist[(int) v - offset] (uint32, nbins): integers, order-free.
extern "C" __global__ void hf_value_counts(const float *__restrict__ img, int snx, int sny, int x0, int y0, int z0, int bx, int by,
                                          int bz, const unsigned char *__restrict__ in, double lo, double hi, int offset, int nbins,
                                          unsigned int *__restrict__ hist) {
    long long n = (long long) bx * by * bz;
    GRID_STRIDE(q, n) {
        if (!in[q]) continue;
        int x = (int) (q % bx), y = (int) (q / bx % by), z = (int) (q / ((long long) bx * by));
        double v = (double) img[((long long) (z + z0) * sny + (y + y0)) * snx + (x + x0)];
        if (v < lo || v > hi) continue;
        int b = (int) v - offset;
        if (b >= 0 && b < nbins) atomicAdd(&hist[b], 1u);
    }
}

// Float images: the distinct values of the ROI voxels in [lo, hi] and their counts, in a hash table of `slots` entries
// (a power of two) — keys[s] holds a value's float bits (0xFFFFFFFF: empty; -0.0 is stored as 0.0) and counts[s]
// its voxels. A value that finds no free slot within `slots` probes adds one to *overflow (the caller then counts on
// the CPU). The table is a set with counts: it does not depend on the order the threads run in.
extern "C" __global__ void hf_value_table(const float *__restrict__ img, int snx, int sny, int x0, int y0, int z0, int bx, int by,
                                          int bz, const unsigned char *__restrict__ in, double lo, double hi, int slots,
                                          unsigned int *keys, unsigned int *__restrict__ counts, unsigned int *__restrict__ overflow) {
    long long n = (long long) bx * by * bz;
    GRID_STRIDE(q, n) {
        if (!in[q]) continue;
        int x = (int) (q % bx), y = (int) (q / bx % by), z = (int) (q / ((long long) bx * by));
        float f = img[((long long) (z + z0) * sny + (y + y0)) * snx + (x + x0)];
        double v = (double) f;
        if (!(v >= lo && v <= hi)) continue;
        if (f == 0.0f) f = 0.0f; // one zero
        unsigned int key;
        memcpy(&key, &f, 4);
        unsigned int h = key * 2654435761u;
        bool placed = false;
        for (int probe = 0; probe < slots; probe++) {
            unsigned int s = (h + (unsigned int) probe) & (unsigned int) (slots - 1);
            unsigned int old = atomicCAS(&keys[s], 0xFFFFFFFFu, key);
            if (old == 0xFFFFFFFFu || old == key) {
                atomicAdd(&counts[s], 1u);
                placed = true;
                break;
            }
        }
        if (!placed) atomicAdd(overflow, 1u);
    }
}

// The occupied entries of a value table, packed: out[2k] = key, out[2k + 1] = count, k from *used (an atomic
// counter: the packed order varies, the host sorts the values).
extern "C" __global__ void hf_value_table_pack(const unsigned int *__restrict__ keys, const unsigned int *__restrict__ counts, int slots,
                                               unsigned int *__restrict__ used, unsigned int *__restrict__ out) {
    GRID_STRIDE(s, (long long) slots) {
        if (keys[s] == 0xFFFFFFFFu) continue;
        unsigned int k = atomicAdd(used, 1u);
        out[2 * (long long) k] = keys[s];
        out[2 * (long long) k + 1] = counts[s];
    }
}

// The non-zero bins of a uint32 histogram, packed: out[2k] = bin, out[2k + 1] = count, k from *used (an atomic
// counter: the packed order varies, the host sorts the bins). What comes back is the ROI's distinct values, not
// every value the image type can hold.
extern "C" __global__ void hf_bins_pack(const unsigned int *__restrict__ hist, int nbins, unsigned int *__restrict__ used,
                                        unsigned int *__restrict__ out) {
    GRID_STRIDE(b, (long long) nbins) {
        unsigned int c = hist[b];
        if (c == 0) continue;
        unsigned int k = atomicAdd(used, 1u);
        out[2 * (long long) k] = (unsigned int) b;
        out[2 * (long long) k + 1] = c;
    }
}

// ==== per-slice matrices of in-plane directions, every slice in one launch (2D and 2.5D aggregations) ===========
// Over the slab of the whole grid: slot_of[z] is the output slot of padded slice z (-1: none); blockIdx.y picks the
// direction (offs[y], in-plane, so a pair or a run never leaves its slice); matrix (slot, y) is at
// m + (slot * gridDim.y + y) * cells. Global atomics: slices differ within a block.
extern "C" __global__ void hf_glcm_slices(const int *__restrict__ lv, long long n, int plane, const int *__restrict__ offs,
                                          const int *__restrict__ slot_of, int ng, unsigned long long *__restrict__ m) {
    int off = offs[blockIdx.y];
    long long cells = (long long) ng * ng;
    GRID_STRIDE(p, n) {
        int a = lv[p];
        if (a == 0) continue;
        int b = lv[p + off];
        if (b == 0) continue;
        int slot = slot_of[p / plane];
        if (slot < 0) continue;
        unsigned long long *mm = m + ((long long) slot * gridDim.y + blockIdx.y) * cells;
        atomicAdd(&mm[(a - 1) * ng + (b - 1)], 1ull);
        atomicAdd(&mm[(b - 1) * ng + (a - 1)], 1ull);
    }
}

extern "C" __global__ void hf_glrlm_slices(const int *__restrict__ lv, long long n, int plane, const int *__restrict__ offs,
                                           const int *__restrict__ slot_of, int max_run, long long cells,
                                           unsigned long long *__restrict__ m) {
    int off = offs[blockIdx.y];
    GRID_STRIDE(p, n) {
        int a = lv[p];
        if (a == 0 || lv[p - off] == a) continue;
        int slot = slot_of[p / plane];
        if (slot < 0) continue;
        int len = 1;
        for (long long q = p + off; lv[q] == a; q += off) len++;
        atomicAdd(&m[((long long) slot * gridDim.y + blockIdx.y) * cells + (long long) (a - 1) * max_run + (len - 1)], 1ull);
    }
}

// Zones of every slice at once (2D aggregations): after in-plane labelling of the whole grid's slab (three_d = 0,
// so every zone lies in one slice), one key per zone of a slice with a slot: slot << 48 | level << 32 | value[root]
// (slots below 2^15, levels below 2^16), appended in any order.
extern "C" __global__ void hf_zone_keys_slices(const int *__restrict__ lv, long long n, const int *__restrict__ L,
                                               const unsigned int *__restrict__ value, int plane, const int *__restrict__ slot_of,
                                               unsigned int *__restrict__ count, unsigned long long *__restrict__ keys) {
    GRID_STRIDE(p, n) {
        if (L[p] != (int) p) continue;
        int slot = slot_of[p / plane];
        if (slot < 0) continue;
        unsigned int k = atomicAdd(count, 1u);
        keys[k] = (unsigned long long) slot << 48 | (unsigned long long) lv[p] << 32 | value[p];
    }
}
