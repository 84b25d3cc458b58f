package io.hounsfield.core.dicom;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a DICOM file's bytes come from: a path, or bytes already in memory (a network upload). */
public interface DicomSource {

    /** Name used in messages (a file path or an upload's name). */
    String name();

    /** Total size in bytes. */
    long size() throws IOException;

    /** A fresh stream over the whole file from byte 0; the caller closes it. */
    InputStream open() throws IOException;

    static DicomSource of(Path path) {
        return new DicomSource() {
            @Override
            public String name() {
                return path.toString();
            }

            @Override
            public long size() throws IOException {
                return Files.size(path);
            }

            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(path);
            }
        };
    }

    static DicomSource of(byte[] bytes, String name) {
        return new DicomSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }
        };
    }
}
