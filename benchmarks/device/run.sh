#!/bin/sh
# Runs on the GPU host, from the repository root or from the pack: unpacks the runtime, records the
# device, runs the GPU test suite (CUDA vs CPU parity on random volumes, fresh seeds, poisoned outputs)
# and the GPU benchmarks (GpuCheck), keeps full logs, and prints the compact table last.
# Logs go to $OUT if set, else to benchmarks/device/out/. Exit status: non-zero if a test failed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
pack=$here
[ -f "$pack/runtime.tgz" ] || pack=$here/pack
out=${OUT:-$here/out}
mkdir -p "$out"
rt=${TMPDIR:-/tmp}/hounsfield-runtime
rm -rf "$rt" && mkdir -p "$rt" && tar xzf "$pack/runtime.tgz" -C "$rt"
java=$rt/java/bin/java
{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "host: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv 2>&1 || echo "nvidia-smi not found"
  "$java" -version 2>&1 | head -n 1
} > "$out/device.txt"
cat "$out/device.txt"

# The console launcher does not expand class-path wildcards: list the jars.
cp=$(ls "$pack"/lib/*.jar "$pack"/test/*.jar | grep -v junit-platform-console | paste -sd: -)
echo "== GPU tests (log: $out/gpu-tests.log)"
"$java" --enable-native-access=ALL-UNNAMED -Dhounsfield.cuda.poison=true \
  -jar "$pack"/test/junit-platform-console-standalone-*.jar execute --class-path "$cp" \
  --select-class io.hounsfield.cuda.CudaDriverTest --select-class io.hounsfield.core.backend.CudaBackendParityTest \
  --select-class io.hounsfield.core.backend.CudaTextureParityTest --select-class io.hounsfield.core.backend.CudaSurfaceParityTest --select-class io.hounsfield.radiomics.CudaFeatureParityTest \
  --select-class io.hounsfield.radiomics.DeviceResidencyTest --select-class io.hounsfield.core.backend.ResampleLabelTest \
  --select-class io.hounsfield.core.backend.CudaTransfersTest \
  --details=tree --disable-banner --disable-ansi-colors > "$out/gpu-tests.log" 2>&1
tests=$?
grep -E "seed|tests (successful|failed|skipped)|✘|MethodSource" "$out/gpu-tests.log" | head -n 40

echo "== GPU benchmarks (log: $out/gpu-check.log)"
"$java" --enable-native-access=ALL-UNNAMED -Xmx48g -cp "$pack/lib/*" io.hounsfield.benchmarks.device.GpuCheck "$@" > "$out/gpu-check.log" 2>&1
check=$?
sed -n '/^operation /,$p' "$out/gpu-check.log"
[ $check -eq 0 ] || tail -n 30 "$out/gpu-check.log"
echo "tests: exit $tests; benchmarks: exit $check"
[ $tests -eq 0 ] && [ $check -eq 0 ]
