#!/bin/sh
# IBSI feature extraction times (JMH RadiomicsBenchmark): lesion and organ ROIs, per family, 1 thread and
# all cores; saves the report with the machine and JDK under benchmarks/results/. Extra arguments go
# to JMH (e.g. -p roi=lesion -p family=all for a quick run).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
JAVA_HOME=$(sh .mvn/find-jdk.sh); export JAVA_HOME
./mvnw -q -B -DskipTests package -pl benchmarks -am
out="benchmarks/results/radiomics-$(date -u +%Y-%m-%d).txt"
mkdir -p benchmarks/results
{
  echo "# RadiomicsBenchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); backend: cpu"
  echo "# volume: 512x512x128 int16, 0.8x0.8x2.5 mm; lesion ~75k voxels, organ ~2.1M voxels; bin width 25; no resampling"
  "$JAVA_HOME/bin/java" -jar benchmarks/target/benchmarks.jar RadiomicsBenchmark "$@"
} | tee "$out"
echo "saved $out"
