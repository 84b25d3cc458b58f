package io.hounsfield.core;

/**
 * Receives progress of a long operation (reading, writing, generating a volume). Called from the
 * working thread, so implementations must be cheap; {@code done} grows monotonically up to
 * {@code total} for one {@code task}.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores all progress. */
    ProgressListener NONE = (task, done, total) -> { };

    /**
     * @param task  what is being done, e.g. "read phantom.nii.gz"
     * @param done  units done so far (bytes, slices, ...)
     * @param total units in all; {@code done == total} ends the task
     */
    void update(String task, long done, long total);
}
