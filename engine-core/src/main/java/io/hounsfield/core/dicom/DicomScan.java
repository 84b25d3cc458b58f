package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException;
import io.hounsfield.core.io.VolumeFormatException.Problem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

/**
 * The DICOM files of a folder (recursively), headers only, parsed in parallel. Files that are not
 * DICOM are skipped and counted; DICOM files without pixel data (reports, plans) likewise; DICOM files
 * that are malformed are kept as failures, so a caller assembling a series can refuse to build one
 * with a file missing.
 *
 * @param images    DICOM files with pixel data, in path order
 * @param notDicom  files skipped because they are not DICOM
 * @param noPixels  DICOM files skipped because they hold no image
 * @param failures  DICOM files that could not be read, with why
 */
public record DicomScan(List<DicomFile> images, int notDicom, int noPixels, List<VolumeFormatException> failures) {

    /** Scans {@code dir} (or a single file), parsing headers on {@code executor}. */
    public static DicomScan of(Path dir, Executor executor) throws IOException {
        List<Path> files;
        if (Files.isRegularFile(dir)) {
            files = List.of(dir);
        } else {
            try (Stream<Path> s = Files.walk(dir)) {
                files = s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
            }
        }
        List<CompletableFuture<Object>> parsed = new ArrayList<>(files.size());
        for (Path p : files) {
            parsed.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return DicomParser.parse(DicomSource.of(p));
                } catch (VolumeFormatException e) {
                    return e;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, executor));
        }
        List<DicomFile> images = new ArrayList<>();
        List<VolumeFormatException> failures = new ArrayList<>();
        int notDicom = 0, noPixels = 0;
        for (CompletableFuture<Object> f : parsed) {
            Object r;
            try {
                r = f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIOException u) {
                    throw u.getCause();
                }
                throw e;
            }
            if (r instanceof DicomFile d) {
                if (d.hasPixelData()) {
                    images.add(d);
                } else {
                    noPixels++;
                }
            } else {
                VolumeFormatException e = (VolumeFormatException) r;
                if (e.problem() == Problem.BAD_MAGIC) {
                    notDicom++;
                } else {
                    failures.add(e);
                }
            }
        }
        return new DicomScan(List.copyOf(images), notDicom, noPixels, List.copyOf(failures));
    }
}
