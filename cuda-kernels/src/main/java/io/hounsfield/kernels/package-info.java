/**
 * CUDA kernels: the {@code .cu} sources under {@code src/main/cuda} (to come), their build by
 * {@code nvcc} into one fatbin resource, and typed Java launchers, one method per kernel, that check
 * sizes and alignment on the host before launch. Host logic beyond launch geometry lives elsewhere.
 */
package io.hounsfield.kernels;
