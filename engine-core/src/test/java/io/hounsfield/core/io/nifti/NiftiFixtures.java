package io.hounsfield.core.io.nifti;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The nibabel-written fixtures under src/test/resources/nifti and what nibabel read back from them. */
final class NiftiFixtures {

    private NiftiFixtures() {
    }

    static Path path(String name) {
        try {
            return Path.of(NiftiFixtures.class.getResource("/nifti/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }

    /** nibabel's view of a fixture: its JSON sidecar. */
    record Expected(int[] shape, double[] values, double[][] lpsAffine, int datatype) {
    }

    static Expected expected(String niftiName) throws IOException {
        String json = niftiName.replace(".nii.gz", ".json").replace(".nii", ".json");
        JsonNode n = new ObjectMapper().readTree(path(json).toFile());
        int[] shape = new int[n.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = n.get("shape").get(i).asInt();
        }
        double[] values = new double[n.get("values").size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = n.get("values").get(i).asDouble();
        }
        double[][] a = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                a[r][c] = n.get("lps_affine").get(r).get(c).asDouble();
            }
        }
        return new Expected(shape, values, a, n.get("datatype").asInt());
    }
}
