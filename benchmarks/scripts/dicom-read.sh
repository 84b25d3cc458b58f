#!/bin/sh
# DICOM read throughput (JMH): makes the benchmark series if needed, builds, runs DicomReadBenchmark and
# saves the report with the machine and JDK under benchmarks/results/. Extra arguments go to JMH.
# Needs Debian's python3-pydicom, python3-numpy and dcmtk for the data (apt-get install ...).
set -eu
data="benchmarks/data/dicom"
[ -d "$(dirname "$0")/../data/dicom/rle" ] || /usr/bin/python3 "$(dirname "$0")/make-dicom-series.py" "$(dirname "$0")/../data/dicom"
. "$(dirname "$0")/common.sh"
out="benchmarks/results/dicom-read-$(date -u +%Y-%m-%d).txt"
{
  header DicomReadBenchmark
  echo "# data: 64 slices of 512x512 int16 = 32 MiB decoded per operation; decoding is CPU work"
  "$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow -Ddata="$data" -jar benchmarks/target/benchmarks.jar DicomReadBenchmark -jvmArgsAppend "-Ddata=$data" "$@"
} | tee "$out"
echo "saved $out"
