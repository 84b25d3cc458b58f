#!/bin/sh
# Packs what a bare GPU host (no JDK, no network) needs to run the GPU tests and benchmarks into
# benchmarks/device/pack/ (git-ignored; under 64 MiB): a jlinked Java 25 runtime as runtime.tgz, the
# application jars with the kernel fatbin, the GPU test classes, AssertJ and JUnit's console launcher.
# Run it on a build machine (with nvcc, so the fatbin is built); then copy the repository (or just
# benchmarks/device/) to the GPU host and run benchmarks/device/run.sh there.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
JAVA_HOME=$(sh .mvn/find-jdk.sh); export JAVA_HOME
./mvnw -q -B install -DskipTests
kernels_jar=$(ls cuda-kernels/target/cuda-kernels-*.jar | grep -v -- -tests.jar)
if ! unzip -l "$kernels_jar" | grep -q hounsfield.fatbin; then
  echo "prepare: the kernel fatbin was not built (no nvcc here?); the GPU host would have nothing to run" >&2
  exit 1
fi
pack=benchmarks/device/pack
rm -rf "$pack"
mkdir -p "$pack/lib" "$pack/test"
cp benchmarks/target/benchmarks.jar "$pack/lib/"
# ONNX Runtime (75 MB, its own native libraries) and the gRPC server's libraries (gRPC, its shaded Netty,
# protobuf, Guava: ~20 MB) are not needed by the GPU tests or GpuCheck: left out to fit under 64 MiB.
for j in benchmarks/target/lib/*.jar; do
  case "$(basename "$j")" in
    onnxruntime*|grpc-*|proto-google-common-protos-*|protobuf-java-*|guava-*|failureaccess-*|perfmark-*|gson-*|error_prone_*|j2objc-*) ;;
    *) cp "$j" "$pack/lib/" ;;
  esac
done
cp engine-core/target/engine-core-*-tests.jar native-bindings/target/native-bindings-*-tests.jar radiomics-gpu/target/radiomics-gpu-*-tests.jar \
  cuda-kernels/target/cuda-kernels-*-tests.jar \
  "$pack/test/"
# Test libraries at the versions the build uses (the parent POM's properties).
prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" pom.xml | head -n 1; }
junit=$(prop junit.version)
platform="1.${junit#5.}"
./mvnw -q -B dependency:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$platform" -DoutputDirectory="$pack/test"
./mvnw -q -B dependency:copy -Dartifact="org.assertj:assertj-core:$(prop assertj.version)" -DoutputDirectory="$pack/test"
# The smallest runtime that runs them: the modules jdeps finds, plus jdk.management and jdk.zipfs, without
# java.desktop (ImageIO: only the compressed-DICOM decoders use it, and the harness reads no DICOM) —
# 23 MB packed instead of 32.
modules=$("$JAVA_HOME/bin/jdeps" --multi-release 25 --ignore-missing-deps --print-module-deps "$pack"/lib/*.jar "$pack"/test/*.jar |
  tr ',' '\n' | grep -vx 'java.desktop' | paste -sd, -)
rt=$(mktemp -d)
"$JAVA_HOME/bin/jlink" --add-modules "$modules,jdk.management,jdk.zipfs" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-0 --output "$rt/java"
tar czf "$pack/runtime.tgz" -C "$rt" java
rm -rf "$rt"
cp benchmarks/device/run.sh "$pack/"
echo "prepare: $(du -sh "$pack" | cut -f1) in $pack (runtime modules: $modules)"
