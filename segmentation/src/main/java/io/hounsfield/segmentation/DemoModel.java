package io.hounsfield.segmentation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The demonstration model shipped in this jar ({@code demo-ct}: liver and lesion of the CT-like phantom;
 * {@code segmentation/models/demo/README.md} is its model card). Nothing is downloaded: the model and its
 * descriptor are copied from the class path into a temporary folder and loaded from there.
 */
public final class DemoModel {

    /** The model's name in its registry. */
    public static final String NAME = "demo-ct";

    private DemoModel() {
    }

    /** A registry holding only the demo model. */
    public static ModelRegistry open(ModelRegistry.Options options) {
        try {
            Path dir = Files.createTempDirectory("hounsfield-demo-model");
            dir.toFile().deleteOnExit();
            for (String f : new String[] {NAME + ".onnx", NAME + ".yaml"}) {
                try (InputStream in = DemoModel.class.getResourceAsStream("demo/" + f)) {
                    if (in == null) {
                        throw new IllegalStateException("the demo model resource " + f + " is missing from this build");
                    }
                    Path target = dir.resolve(f);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    target.toFile().deleteOnExit();
                }
            }
            return ModelRegistry.open(dir, options);
        } catch (IOException e) {
            throw new UncheckedIOException("unpacking the demo model", e);
        }
    }
}
