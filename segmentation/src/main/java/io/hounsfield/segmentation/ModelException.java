package io.hounsfield.segmentation;

import java.nio.file.Path;

/** A model or its descriptor cannot be used; names the files and what was wrong. */
public class ModelException extends RuntimeException {

    /** What kind of problem. */
    public enum Problem { NOT_ONNX, BAD_DESCRIPTOR, MISMATCH, NO_DESCRIPTOR, RUNTIME }

    private final Problem problem;

    public ModelException(Problem problem, Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.problem = problem;
    }

    public ModelException(Problem problem, Path file, String message) {
        this(problem, file, message, null);
    }

    public Problem problem() {
        return problem;
    }
}
