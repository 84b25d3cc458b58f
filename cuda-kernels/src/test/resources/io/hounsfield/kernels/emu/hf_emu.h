// Host emulation of the CUDA C that hounsfield.cu uses, so its kernels can run on a CPU under the fake driver
// (tests only; KernelEmulator builds it). One OS thread runs every CUDA thread: a block's threads run one after
// another, and a kernel that calls __syncthreads() runs them as fibers that all stop at each barrier before any
// goes on. Atomics are therefore plain read-modify-writes. What this checks is each kernel's logic — indexing,
// bounds, what is counted — not the GPU's memory model, its scheduling or its speed.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

struct hf_emu_dim3 {
    unsigned x, y, z;
};
extern hf_emu_dim3 threadIdx, blockIdx, blockDim, gridDim;
extern unsigned char hf_emu_dynamic_shared[];

#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __shared__ static

void __syncthreads();
// In interleaving mode (hf_emu_set_interleave) another thread may run here, before the atomic operation.
void hf_emu_yield();

inline unsigned atomicAdd(unsigned *a, unsigned v) { hf_emu_yield(); unsigned o = *a; *a = o + v; return o; }
inline unsigned long long atomicAdd(unsigned long long *a, unsigned long long v) { hf_emu_yield(); unsigned long long o = *a; *a = o + v; return o; }
inline int atomicAdd(int *a, int v) { hf_emu_yield(); int o = *a; *a = o + v; return o; }
inline int atomicMin(int *a, int v) { hf_emu_yield(); int o = *a; if (v < o) *a = v; return o; }
inline int atomicMax(int *a, int v) { hf_emu_yield(); int o = *a; if (v > o) *a = v; return o; }
inline unsigned atomicCAS(unsigned *a, unsigned expected, unsigned v) { hf_emu_yield(); unsigned o = *a; if (o == expected) *a = v; return o; }
inline unsigned atomicMin(unsigned *a, unsigned v) { hf_emu_yield(); unsigned o = *a; if (v < o) *a = v; return o; }
inline unsigned atomicMax(unsigned *a, unsigned v) { hf_emu_yield(); unsigned o = *a; if (v > o) *a = v; return o; }
inline unsigned long long atomicMax(unsigned long long *a, unsigned long long v) { hf_emu_yield(); unsigned long long o = *a; if (v > o) *a = v; return o; }

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }

inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline long long __double_as_longlong(double d) { long long v; std::memcpy(&v, &d, 8); return v; }
inline int __float_as_int(float f) { int v; std::memcpy(&v, &f, 4); return v; }
