#!/bin/sh
# DICOM read throughput (JMH): makes the benchmark series if needed, builds, runs DicomReadBenchmark and
# saves the report with the machine and JDK under benchmarks/results/. Extra arguments go to JMH.
# Needs Debian's python3-pydicom, python3-numpy and dcmtk for the data (apt-get install ...).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
JAVA_HOME=$(sh .mvn/find-jdk.sh); export JAVA_HOME
data="benchmarks/data/dicom"
[ -d "$data/rle" ] || /usr/bin/python3 benchmarks/scripts/make-dicom-series.py "$data"
./mvnw -q -B -DskipTests package -pl benchmarks -am
out="benchmarks/results/dicom-read-$(date -u +%Y-%m-%d).txt"
mkdir -p benchmarks/results
{
  echo "# DicomReadBenchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); backend: cpu (decoding is CPU work)"
  echo "# data: 64 slices of 512x512 int16 = 32 MiB decoded per operation"
  "$JAVA_HOME/bin/java" -Ddata="$data" -jar benchmarks/target/benchmarks.jar DicomReadBenchmark -jvmArgsAppend "-Ddata=$data" "$@"
} | tee "$out"
echo "saved $out"
