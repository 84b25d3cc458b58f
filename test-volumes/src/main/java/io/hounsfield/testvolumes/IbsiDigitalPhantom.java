package io.hounsfield.testvolumes;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.io.nifti.NiftiReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The IBSI 1 digital phantom (5×4×4 voxels of 2 mm, grey levels 1–6 and 9) with its ROI mask and the
 * reference feature values of the IBSI reference manual. Provenance and licence (CC BY 4.0):
 * {@code io/hounsfield/testvolumes/ibsi/README.md} beside the files.
 *
 * @param image the phantom (int16)
 * @param mask  label 1 = ROI (74 of 80 voxels)
 */
public record IbsiDigitalPhantom(Volume image, Mask mask) implements AutoCloseable {

    private static final String DIR = "/io/hounsfield/testvolumes/ibsi/";

    /** One row of {@code reference-values.csv}: tolerance 0 means IBSI gives none (match to 3 significant digits). */
    public record ReferenceValue(String family, String ibsiCode, String feature, String aggregation, double value, double tolerance) {
    }

    /** Reads the phantom from the class path. */
    public static IbsiDigitalPhantom load() {
        NiftiReader reader = new NiftiReader();
        try {
            Volume image = reader.read(bytes("phantom.nii.gz"), "ibsi/phantom.nii.gz");
            try (Volume m = reader.read(bytes("mask.nii.gz"), "ibsi/mask.nii.gz")) {
                return new IbsiDigitalPhantom(image, Mask.fromLabels(m));
            } catch (IOException | RuntimeException e) {
                image.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the IBSI phantom resource is unreadable", e);
        }
    }

    /** Every row of the reference table (482 values of 169 features). */
    public static List<ReferenceValue> referenceValues() {
        try (InputStream in = IbsiDigitalPhantom.class.getResourceAsStream(DIR + "reference-values.csv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<ReferenceValue> out = new ArrayList<>();
            String header = r.readLine();
            if (!"family,ibsi_code,feature,aggregation,value,tolerance".equals(header)) {
                throw new IllegalStateException("unexpected header in reference-values.csv: " + header);
            }
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.isBlank()) {
                    out.add(parse(line));
                }
            }
            return List.copyOf(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits one CSV row; feature and aggregation names may be quoted and contain commas. */
    private static ReferenceValue parse(String line) {
        List<String> f = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                f.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        f.add(cur.toString());
        if (f.size() != 6) {
            throw new IllegalStateException("reference-values.csv: expected 6 fields in: " + line);
        }
        return new ReferenceValue(f.get(0), f.get(1), f.get(2), f.get(3), Double.parseDouble(f.get(4)), Double.parseDouble(f.get(5)));
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = IbsiDigitalPhantom.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IOException("missing resource " + DIR + name);
            }
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        try (mask) {
            image.close();
        }
    }
}
