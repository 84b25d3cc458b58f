/**
 * Benchmarks (to come): JMH benchmarks per kernel and feature family, the end-to-end and gRPC load
 * harness, and their result files (machine, JDK and backend recorded). Never needed at run time.
 */
package io.hounsfield.benchmarks;
