package io.hounsfield.testvolumes.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import io.hounsfield.core.dicom.DicomException;
import io.hounsfield.core.dicom.DicomFile;
import io.hounsfield.core.dicom.DicomParser;
import io.hounsfield.core.dicom.DicomSource;
import io.hounsfield.core.dicom.PixelDescription;
import io.hounsfield.core.dicom.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** pydicom's test files, decoded pixel-exact as pydicom (with dcmtk/GDCM decompression) decodes them. */
class PydicomFilesTest {

    /** Lossy transfer syntaxes: compared within rounding, not bit for bit. */
    private static final java.util.Set<String> LOSSY = java.util.Set.of("1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51",
            "1.2.840.10008.1.2.4.91");

    static Stream<String> files() throws IOException {
        try (var s = Files.list(Fixtures.path("pydicom"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".dcm")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void decodesAsPydicomDoes(String name) throws Exception {
        JsonNode want = Fixtures.json("pydicom/" + name.replace(".dcm", ".json"));
        DicomSource src = DicomSource.of(Fixtures.path("pydicom/" + name));
        String error = want.path("error").asText(null);
        if (error != null && !error.equals("NO_PIXELS")) {
            assertThatThrownBy(() -> DicomParser.parse(src).decodeFrames())
                    .isInstanceOf(DicomException.class)
                    .hasMessageContaining(name)
                    .satisfies(e -> assertThat(((DicomException) e).problem().name()).isEqualTo(error));
            return;
        }
        DicomFile f = DicomParser.parse(src);
        if ("NO_PIXELS".equals(error)) {
            assertThat(f.hasPixelData()).isFalse();
            return;
        }
        JsonNode h = want.get("header");
        PixelDescription pd = PixelDescription.of(f.dataset());
        assertThat(pd.rows()).isEqualTo(h.get("Rows").asInt());
        assertThat(pd.columns()).isEqualTo(h.get("Columns").asInt());
        if (h.hasNonNull("ImagePositionPatient")) {
            double[] ipp = f.dataset().decimals(Tag.IMAGE_POSITION_PATIENT);
            for (int i = 0; i < 3; i++) {
                assertThat(ipp[i]).isCloseTo(h.get("ImagePositionPatient").get(i).asDouble(), within(1e-9));
            }
        }
        int[][] frames = f.decodeFrames();
        JsonNode wf = want.get("frames");
        assertThat(frames.length).isEqualTo(wf.size());
        for (int k = 0; k < frames.length; k++) {
            int[] fr = frames[k];
            long sum = 0;
            int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
            for (int v : fr) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            JsonNode w = wf.get(k);
            if (LOSSY.contains(want.path("transfer_syntax").asText())) {
                // Lossy decoders differ by rounding (JPEG 2000 part 4 allows it): GDCM/OpenJPEG vs JJ2000 here.
                assertThat(min).isCloseTo(w.get("min").asInt(), within(1));
                assertThat(max).isCloseTo(w.get("max").asInt(), within(1));
                assertThat((double) sum / fr.length).isCloseTo(w.get("sum").asDouble() / fr.length, within(0.01));
                JsonNode samples = w.get("samples");
                int stride = w.get("stride").asInt(), off = 0;
                for (int i = 0; i < samples.size(); i++) {
                    off = Math.max(off, Math.abs(fr[i * stride] - samples.get(i).asInt()));
                }
                assertThat(off).as("largest per-pixel difference to the reference decoder").isLessThanOrEqualTo(1);
                continue;
            }
            assertThat(new long[] {min, max, sum}).as("frame %d min/max/sum", k)
                    .containsExactly(w.get("min").asLong(), w.get("max").asLong(), w.get("sum").asLong());
            ByteBuffer b = ByteBuffer.allocate(fr.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : fr) {
                b.putInt(v);
            }
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
            assertThat(sha).as("frame %d values", k).isEqualTo(w.get("sha256").asText());
        }
    }
}
