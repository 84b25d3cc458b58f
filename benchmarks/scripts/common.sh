# Sourced by the benchmark scripts: finds the JDK, builds the benchmark jar, and prints the header
# every result file starts with (machine, JDK). Usage: . benchmarks/scripts/common.sh; header "Title"
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
JAVA_HOME=$(sh .mvn/find-jdk.sh); export JAVA_HOME
./mvnw -q -B -DskipTests package -pl benchmarks -am
mkdir -p benchmarks/results

header() {
  echo "# $1, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); backend: cpu"
}
