#!/bin/sh
# Segmentation of a 512x512x300 CT-like phantom with the demo model on all cores (JMH SegmentationBenchmark):
# the whole, and the median of each stage (resample, windows, blending, post-processing, resample back);
# saves the report with the machine and JDK under benchmarks/results/.
set -eu
. "$(dirname "$0")/common.sh"
out="benchmarks/results/segmentation-$(date -u +%Y-%m-%d).txt"
{
  header SegmentationBenchmark
  echo "# volume: 512x512x300 int16, 0.7x0.7x0.67 mm; model demo-ct (2.8x2.8x4 mm, patch 64x64x32, overlap 0.5); ONNX Runtime CPU provider"
  "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -jar benchmarks/target/benchmarks.jar SegmentationBenchmark "$@"
} | tee "$out"
echo "saved $out"
