#!/bin/sh
# IBSI feature extraction times (JMH RadiomicsBenchmark): lesion and organ ROIs, per family, 1 thread and
# all cores; saves the report with the machine and JDK under benchmarks/results/. Extra arguments go
# to JMH (e.g. -p roi=lesion -p family=all for a quick run).
set -eu
. "$(dirname "$0")/common.sh"
# RESULT_NAME names the result file (default "radiomics"), e.g. for a run of some families only.
out="benchmarks/results/${RESULT_NAME:-radiomics}-$(date -u +%Y-%m-%d).txt"
{
  header RadiomicsBenchmark
  echo "# volume: 512x512x128 int16, 0.8x0.8x2.5 mm; lesion ~75k voxels, organ ~2.1M voxels; bin width 25; no resampling"
  "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -jar benchmarks/target/benchmarks.jar RadiomicsBenchmark "$@"
} | tee "$out"
echo "saved $out"
