#!/bin/sh
# The load harness (io.hounsfield.benchmarks.LoadHarness) against `hounsfield serve --backend cpu` started as
# a separate JVM on loopback: ExtractFeatures on cached volumes (lesion ROI) with 1, 2 and 4 clients, then
# KServe ModelInfer with the volume in every request; each for 30 s after 5 s of warm-up. Throughput,
# p50/p90/p99, errors by code, the server's RSS, heap and CPU before/after, and the server's overhead over
# in-process extraction. Saves the report under benchmarks/results/. Extra arguments go to every run
# (e.g. --duration 60, --roi organ); `java -cp benchmarks/target/benchmarks.jar
# io.hounsfield.benchmarks.LoadHarness --help` lists them.
set -eu
. "$(dirname "$0")/common.sh"
out="benchmarks/results/load-$(date -u +%Y-%m-%d).txt"
harness() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar io.hounsfield.benchmarks.LoadHarness "$@"
  echo
}
{
  header "Load harness"
  echo "# volume: 512x512x128 int16 (BenchmarkVolume), lesion ROI ~75 k voxels, binWidth 25, every family and aggregation"
  for c in 1 2 4; do
    harness --rpc extract --concurrency "$c" "$@"
  done
  harness --rpc infer --concurrency 2 "$@"
} | tee "$out"
echo "saved $out"
