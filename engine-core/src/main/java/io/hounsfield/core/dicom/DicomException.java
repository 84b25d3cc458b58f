package io.hounsfield.core.dicom;

import io.hounsfield.core.io.VolumeFormatException;

/**
 * A DICOM file or series could not be read: names the file, the tag when one is at fault (else -1),
 * and what was wrong. {@link #problem()} classifies it as for any volume format.
 */
public class DicomException extends VolumeFormatException {

    private final int tag;

    public DicomException(Problem problem, String source, int tag, String detail) {
        this(problem, source, tag, detail, null);
    }

    public DicomException(Problem problem, String source, int tag, String detail, Throwable cause) {
        super(problem, source, (tag == -1 ? "" : Tag.describe(tag) + ": ") + detail, cause);
        this.tag = tag;
    }

    /** The tag at fault, or -1 when the problem is not one tag's. */
    public int tag() {
        return tag;
    }
}
