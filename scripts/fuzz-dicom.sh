#!/bin/sh
# Long fuzzing run of the DICOM parser and decoders with Jazzer (DicomParserSoakFuzz, up to 4 hours;
# stop it with Ctrl-C). Findings land in engine-core/src/test/resources/io/hounsfield/core/dicom/
# DicomParserSoakFuzzInputs/parseAndDecode/crash-* — move them to DicomParserFuzzTestInputs/ so the
# normal build replays them — and the growing corpus in engine-core/.cifuzz-corpus/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
JAZZER_FUZZ=1 ./mvnw -B -pl engine-core -am -Dtest=DicomParserSoakFuzz -Dsurefire.failIfNoSpecifiedTests=false \
  test "$@"
