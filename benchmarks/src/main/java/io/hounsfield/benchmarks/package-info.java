/**
 * JMH benchmarks (run with benchmarks/scripts/*.sh; results with machine, JDK and backend under
 * benchmarks/results/), and later the end-to-end and gRPC load harness. Never needed at run time.
 */
package io.hounsfield.benchmarks;
