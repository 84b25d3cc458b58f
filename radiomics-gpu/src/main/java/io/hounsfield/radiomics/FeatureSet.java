package io.hounsfield.radiomics;

import java.util.List;
import java.util.Map;

/**
 * The features of one ROI with how they came to be.
 *
 * @param features   one entry per feature and aggregation
 * @param provenance settings, engine, input and timings
 */
public record FeatureSet(List<FeatureValue> features, Provenance provenance) {

    public FeatureSet {
        features = List.copyOf(features);
    }

    /**
     * @param settings      the canonical settings text
     * @param settingsHash  SHA-256 of it
     * @param engineVersion Hounsfield's version
     * @param inputHash     SHA-256 of the grid and of image and mask voxels around the ROI (what the features depend on)
     * @param backend       "cpu", "cuda"
     * @param timingsMs     wall time per stage, in order, and the whole extraction ("total"); family groups run
     *                      concurrently, so their stages overlap and may add up to more than the total
     * @param notes         what was done that a reader should know (e.g. an estimate used for a large ROI)
     */
    public record Provenance(String settings, String settingsHash, String engineVersion, String inputHash, String backend,
                             Map<String, Double> timingsMs, List<String> notes) {
    }
}
