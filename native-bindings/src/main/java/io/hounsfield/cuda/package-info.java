/**
 * The CUDA driver API from Java, through FFM ({@code java.lang.foreign}) bindings to
 * {@code libcuda.so.1}. This package is the public surface; the bindings live in {@code .internal}.
 * Nothing here knows about volumes or features.
 */
package io.hounsfield.cuda;
