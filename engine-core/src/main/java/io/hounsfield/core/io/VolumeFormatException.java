package io.hounsfield.core.io;

import java.io.IOException;
import java.util.Objects;

/**
 * A volume file could not be read (or written) because of its content: the message names the file,
 * where in it the problem is when known, and what was expected; {@link #problem()} says what kind of
 * problem it is, for callers that map errors to codes (gRPC status, exit codes).
 */
public class VolumeFormatException extends IOException {

    /** What went wrong, independent of the file format. */
    public enum Problem {
        /** Not a file of this format (wrong magic number or header size). */
        BAD_MAGIC,
        /** The file ends before the header or the voxel data it announces. */
        TRUNCATED,
        /** A valid file whose voxel data type this reader does not support. */
        UNSUPPORTED_DATATYPE,
        /** A valid file of a kind this reader does not support (4-D, NIfTI-2, two-file pairs, ...). */
        UNSUPPORTED_FEATURE,
        /** Negative, zero or absurd dimensions, or more voxel bytes than the file can hold. */
        BAD_DIMENSIONS,
        /** Spacing, orientation or scaling that cannot describe a grid (zero spacing, singular matrix, ...). */
        BAD_GEOMETRY,
        /** Any other inconsistent header field. */
        BAD_HEADER,
        /** The input holds several volumes (DICOM series) and the caller must choose one. */
        AMBIGUOUS
    }

    private final Problem problem;
    private final String source;

    public VolumeFormatException(Problem problem, String source, String detail) {
        this(problem, source, detail, null);
    }

    public VolumeFormatException(Problem problem, String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.problem = Objects.requireNonNull(problem, "problem");
        this.source = source;
    }

    public Problem problem() {
        return problem;
    }

    /** The file (or stream name) the problem was found in. */
    public String source() {
        return source;
    }
}
