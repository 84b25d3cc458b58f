package io.hounsfield.testvolumes.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The DICOM fixtures under io/hounsfield/testvolumes/dicom (see test-volumes/fixtures/dicom/make_fixtures.py). */
final class Fixtures {

    private Fixtures() {
    }

    static Path path(String relative) {
        try {
            var url = Fixtures.class.getResource("/io/hounsfield/testvolumes/dicom/" + relative);
            if (url == null) {
                throw new IllegalStateException("missing fixture " + relative);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String relative) throws IOException {
        return new ObjectMapper().readTree(path(relative).toFile());
    }
}
