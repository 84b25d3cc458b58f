package io.hounsfield.core.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The DICOM fuzz target for long runs (scripts/fuzz-dicom.sh): same property and seeds as
 * {@link DicomParserFuzzTest}, four hours. Its name does not match Surefire's test patterns, so only
 * the script runs it.
 */
class DicomParserSoakFuzz {

    @FuzzTest(maxDuration = "4h")
    void parseAndDecode(byte[] data) {
        DicomParserFuzzTest.target(data);
    }
}
