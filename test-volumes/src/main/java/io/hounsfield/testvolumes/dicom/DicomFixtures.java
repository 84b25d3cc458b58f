package io.hounsfield.testvolumes.dicom;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The DICOM fixtures this module ships ({@code io/hounsfield/testvolumes/dicom/}: pydicom's files, the series
 * of {@code series/}, written by {@code test-volumes/fixtures/dicom/make_fixtures.py}), copied out to a folder — from the
 * class path's directory in a reactor build, or from the jar in a packaged one.
 */
public final class DicomFixtures {

    private DicomFixtures() {
    }

    /**
     * Copies the files of fixture folder {@code relative} (e.g. {@code "series/native"}) into a new folder under
     * {@code into} and returns it.
     *
     * @throws IllegalArgumentException if there is no such fixture
     */
    public static Path copy(String relative, Path into) throws IOException {
        var url = DicomFixtures.class.getResource("/io/hounsfield/testvolumes/dicom/" + relative);
        if (url == null) {
            throw new IllegalArgumentException("no DICOM fixture '" + relative + "'");
        }
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        Path target = Files.createDirectories(into.resolve(relative.replace('/', '_')));
        if ("jar".equals(uri.getScheme())) {
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                copyFiles(fs.provider().getPath(uri), target);
            }
        } else {
            copyFiles(Path.of(uri), target);
        }
        return target;
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(from)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path p : files) {
            Files.copy(p, to.resolve(p.getFileName().toString()));
        }
    }
}
