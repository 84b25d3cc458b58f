package io.hounsfield.core.dicom;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hounsfield.core.io.VolumeFormatException;

import java.io.IOException;

/**
 * Jazzer fuzz test of the DICOM parser and pixel decoders: whatever the bytes, the only exceptions are
 * typed ({@link VolumeFormatException}); no other exception, no out-of-memory, no hang. In the normal
 * build it replays its seed corpus (DicomParserFuzzTestInputs/) and the findings saved there; the
 * build's "fuzz-dicom" execution fuzzes it for 30 s (JAZZER_FUZZ=1, see the engine-core POM);
 * scripts/fuzz-dicom.sh runs {@link DicomParserSoakFuzz} for hours.
 */
class DicomParserFuzzTest {

    // Per input: a hang becomes a finding instead of wedging the build (Jazzer maps @Timeout to -timeout).
    @org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "30s")
    void parseAndDecode(byte[] data) {
        target(data);
    }

    /** The property under test, shared with the soak run. */
    static void target(byte[] data) {
        try {
            DicomFile f = DicomParser.parse(DicomSource.of(data, "fuzz.dcm"));
            if (f.hasPixelData()) {
                PixelDescription pd = PixelDescription.of(f.dataset());
                // Bound the work per input: a fuzzer may announce 65535×65535 frames that the file cannot hold.
                if (pd.frameBytes() * pd.frames() <= 1 << 22) {
                    f.decodeFrames();
                }
            }
            Slice.of(f);
        } catch (VolumeFormatException expected) {
            // typed and named: fine
        } catch (IOException e) {
            throw new AssertionError("untyped I/O failure on in-memory input", e);
        }
    }
}
