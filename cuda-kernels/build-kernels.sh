#!/bin/sh
# Builds src/main/cuda/*.cu into one fatbin resource, if nvcc is present; run by Maven (generate-resources).
#   $1: folder for the fatbin (target/classes/io/hounsfield/kernels)   $2: folder for the build log (target)
# SASS for sm_75 (Turing), sm_80 (A100), sm_86 (RTX 30xx, A10), sm_89 (L4, L40, RTX 40xx), sm_90 (H100,
# H200); PTX for compute_90, which newer drivers JIT-compile for newer cards (Blackwell). --fmad=false:
# Java never fuses a multiply and an add, and the kernels must round as the CPU backend does.
# nvcc: $NVCC, else nvcc on the PATH, else /usr/local/cuda/bin/nvcc. Without one the build goes on without
# kernels (hounsfield info then says so). The ptxas resource usage (-Xptxas -v) lands in $2/nvcc-resource-usage.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=$1
log=$2
mkdir -p "$out" "$log"
nvcc=${NVCC:-}
[ -n "$nvcc" ] || nvcc=$(command -v nvcc 2>/dev/null || true)
[ -n "$nvcc" ] || { [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc; } || true
if [ -z "$nvcc" ]; then
  echo "[cuda-kernels] nvcc not found (set NVCC or install the CUDA toolkit): building without CUDA kernels"
  rm -f "$out/hounsfield.fatbin" "$out/hounsfield.fatbin.properties"
  exit 0
fi
src="$here/src/main/cuda/hounsfield.cu"
fatbin="$out/hounsfield.fatbin"
# Up to date: nothing to do (nvcc takes about a minute for five architectures).
if [ -f "$fatbin" ] && [ -f "$out/hounsfield.fatbin.properties" ] && [ "$fatbin" -nt "$src" ] && [ "$fatbin" -nt "$0" ]; then
  echo "[cuda-kernels] $fatbin is up to date"
  exit 0
fi
version=$("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
archs="75 80 86 89 90"
gencode=""
for a in $archs; do gencode="$gencode -gencode arch=compute_$a,code=sm_$a"; done
gencode="$gencode -gencode arch=compute_90,code=compute_90"
echo "[cuda-kernels] $nvcc (CUDA $version): SASS sm_$(echo $archs | sed 's/ /, sm_/g'), PTX compute_90"
# shellcheck disable=SC2086
"$nvcc" -fatbin -O3 --fmad=false -std=c++17 $gencode -Xptxas -v -o "$fatbin.tmp" "$src" > "$log/nvcc-resource-usage.txt" 2>&1 || {
  cat "$log/nvcc-resource-usage.txt"
  exit 1
}
mv "$fatbin.tmp" "$fatbin"
{
  echo "nvcc=$version"
  echo "sass=$(echo $archs | sed 's/\([0-9]*\)/sm_\1/g; s/ /,/g')"
  echo "ptx=compute_90"
  echo "flags=-O3 --fmad=false"
} > "$out/hounsfield.fatbin.properties"
echo "[cuda-kernels] wrote $fatbin ($(wc -c < "$fatbin") bytes); ptxas resource usage (sm_90; every target in $log/nvcc-resource-usage.txt):"
awk '/Compiling entry function/ { f = $0; sub(/.*function .\047?/, "", f); sub(/\047? for .*/, "", f); arch = $NF }
     /Used [0-9]+ registers/ && arch ~ /sm_90/ { sub(/.*: /, ""); printf "[cuda-kernels]   %-22s %s\n", f, $0 }' "$log/nvcc-resource-usage.txt"
