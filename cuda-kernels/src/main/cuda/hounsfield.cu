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

// ---- resampling ---------------------------------------------------------------------------------------
// m: 12 doubles, row-major 3x4, target voxel index -> source continuous index (q_r = m0 x + m1 y + m2 z + m3,
// summed in that order). Points outside the source take the nearest edge voxel (clamped index), as on the CPU.
__device__ __forceinline__ double clampd(double v, int hi) { return v < 0 ? 0 : v > hi ? (double) hi : v; }

// Java's Math.round: nearest, ties towards positive infinity.
__device__ __forceinline__ int java_round(double v) {
    double f = floor(v);
    return (int) f + (v - f >= 0.5 ? 1 : 0);
}

extern "C" __global__ void hf_resample_f32(const float *__restrict__ src, int snx, int sny, int snz,
                                           const double *__restrict__ m, float *__restrict__ dst,
                                           int dnx, int dny, int dnz, int trilinear) {
    long long n = (long long) dnx * dny * dnz;
    GRID_STRIDE(i, n) {
        double x = (double) (i % dnx), y = (double) (i / dnx % dny), z = (double) (i / ((long long) dnx * dny));
        double qx = clampd(m[0] * x + m[1] * y + m[2] * z + m[3], snx - 1);
        double qy = clampd(m[4] * x + m[5] * y + m[6] * z + m[7], sny - 1);
        double qz = clampd(m[8] * x + m[9] * y + m[10] * z + m[11], snz - 1);
        if (!trilinear) {
            dst[i] = src[((long long) java_round(qz) * sny + java_round(qy)) * snx + java_round(qx)];
            continue;
        }
        int x0 = (int) floor(qx), y0 = (int) floor(qy), z0 = (int) floor(qz);
        double fx = qx - x0, fy = qy - y0, fz = qz - z0, s = 0;
        for (int k = 0; k < 8; k++) {
            int dx = k & 1, dy = k >> 1 & 1, dz = k >> 2 & 1;
            double w = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy) * (dz ? fz : 1 - fz);
            if (w != 0) {
                int xx = min(x0 + dx, snx - 1), yy = min(y0 + dy, sny - 1), zz = min(z0 + dz, snz - 1);
                s += w * (double) src[((long long) zz * sny + yy) * snx + xx];
            }
        }
        dst[i] = (float) s;
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

// ---- intensity clip, in place: v = min(max(v, lo), hi) (NaN bound: none) -------------------------------------
extern "C" __global__ void hf_clip_f32(float *__restrict__ v, long long n, double lo, double hi) {
    GRID_STRIDE(i, n) {
        double x = v[i];
        if (x < lo) x = lo;
        if (x > hi) x = hi;
        v[i] = (float) x;
    }
}

// ---- discretisation (IBSI 2.7), 0 outside the mask ------------------------------------------------------
// Fixed bin number: g = min(Ng, floor(Ng (x - lo) / (hi - lo)) + 1), lo and hi the ROI minimum and maximum; all 1 when hi == lo.
extern "C" __global__ void hf_discretise_fbn(const float *__restrict__ v, const uint8_t *__restrict__ mask, long long n,
                                             double lo, double hi, int ng, int *__restrict__ out) {
    GRID_STRIDE(i, n) {
        if (!mask[i]) { out[i] = 0; continue; }
        out[i] = hi == lo ? 1 : min(ng, (int) floor(ng * ((double) v[i] - lo) / (hi - lo)) + 1);
    }
}

// Fixed bin size: g = floor((x - low) / width) + 1.
extern "C" __global__ void hf_discretise_fbs(const float *__restrict__ v, const uint8_t *__restrict__ mask, long long n,
                                             double low, double width, int *__restrict__ out) {
    GRID_STRIDE(i, n) {
        out[i] = mask[i] ? (int) floor(((double) v[i] - low) / width) + 1 : 0;
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
