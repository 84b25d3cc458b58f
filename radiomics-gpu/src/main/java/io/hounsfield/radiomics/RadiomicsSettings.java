package io.hounsfield.radiomics;

import io.hounsfield.core.Vec3;
import io.hounsfield.core.backend.Interpolation;
import io.hounsfield.radiomics.features.Discretisation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How features are computed, in IBSI's processing order (chapter 2): resampling (spacing, interpolation,
 * rounding), re-segmentation (range, outlier filter), discretisation, and which families and
 * aggregations to report. Immutable; {@link #hash()} identifies a configuration in provenance.
 *
 * @param label             the mask label forming the ROI
 * @param resampledSpacing  target spacing in mm, or null for no resampling
 * @param interpolation     image interpolation when resampling (the mask is always interpolated
 *                          trilinearly and kept where ≥ 0.5, IBSI's partial-volume rule)
 * @param roundIntensities  round resampled intensities to integers (IBSI asks it for CT)
 * @param resegmentMin      lower bound of the re-segmentation range (NaN: none)
 * @param resegmentMax      upper bound (NaN: none)
 * @param outlierFilter     also drop intensity-mask voxels outside mean ± 3 SD
 * @param discretisation    for the intensity histogram (and, later, texture)
 * @param ivhStep           IVH intensity step (NaN: 1 for integer data, else 1/1000 of the range)
 * @param families          families to compute (see {@link #ALL_FAMILIES})
 * @param aggregations      IBSI aggregation methods to report (texture families; "3D" for the others)
 * @param unit              intensity unit written into the results ("HU", "")
 */
public record RadiomicsSettings(int label, Vec3 resampledSpacing, Interpolation interpolation, boolean roundIntensities,
                                double resegmentMin, double resegmentMax, boolean outlierFilter, Discretisation discretisation,
                                double ivhStep, Set<String> families, List<String> aggregations, String unit) {

    public static final String MORPHOLOGY = "morphology", LOCAL_INTENSITY = "local intensity",
            INTENSITY_STATISTICS = "intensity-based statistics", INTENSITY_HISTOGRAM = "intensity histogram",
            IVH = "intensity-volume histogram";
    /** The texture families (IBSI §3.6–3.11), by IBSI's abbreviations. */
    public static final String GLCM = "GLCM", GLRLM = "GLRLM", GLSZM = "GLSZM", GLDZM = "GLDZM", NGTDM = "NGTDM", NGLDM = "NGLDM";
    public static final Set<String> TEXTURE_FAMILIES = Set.of(GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM);
    public static final Set<String> ALL_FAMILIES = Set.of(MORPHOLOGY, LOCAL_INTENSITY, INTENSITY_STATISTICS, INTENSITY_HISTOGRAM, IVH,
            GLCM, GLRLM, GLSZM, GLDZM, NGTDM, NGLDM);
    /** IBSI's aggregation methods, in its wording. */
    public static final List<String> AGGREGATIONS = List.of("3D", "2D, averaged", "2D, slice-merged", "2.5D, direction-merged",
            "2.5D, merged", "3D, averaged", "3D, merged");

    public RadiomicsSettings {
        Objects.requireNonNull(interpolation, "interpolation");
        Objects.requireNonNull(discretisation, "discretisation");
        families = Set.copyOf(families);
        aggregations = List.copyOf(aggregations);
        for (String f : families) {
            if (!ALL_FAMILIES.contains(f)) {
                throw new IllegalArgumentException("feature family '" + f + "' is unknown or not in this build; available: " + ALL_FAMILIES);
            }
        }
        for (String a : aggregations) {
            if (!AGGREGATIONS.contains(a)) {
                throw new IllegalArgumentException("unknown aggregation '" + a + "'; IBSI's are " + AGGREGATIONS);
            }
        }
        if (label < 1 || label > 255) {
            throw new IllegalArgumentException("label must be 1..255, got " + label);
        }
        if (resegmentMin > resegmentMax) {
            throw new IllegalArgumentException("re-segmentation range is empty: [" + resegmentMin + ", " + resegmentMax + "]");
        }
    }

    /** PyRadiomics' defaults where both tools share a setting: label 1, bin width 25, no resampling. */
    public static RadiomicsSettings defaults() {
        return new RadiomicsSettings(1, null, Interpolation.TRILINEAR, false, Double.NaN, Double.NaN, false,
                Discretisation.binSize(25), Double.NaN, ALL_FAMILIES, List.of("3D"), "");
    }

    public RadiomicsSettings withLabel(int l) {
        return new RadiomicsSettings(l, resampledSpacing, interpolation, roundIntensities, resegmentMin, resegmentMax, outlierFilter,
                discretisation, ivhStep, families, aggregations, unit);
    }

    /** SHA-256 of the canonical text of these settings. */
    public String hash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stable, readable text of every setting (families sorted). */
    public String canonical() {
        return "label=" + label + "; resampledSpacing=" + (resampledSpacing == null ? "none" : resampledSpacing)
                + "; interpolation=" + interpolation + "; roundIntensities=" + roundIntensities
                + "; resegmentRange=[" + resegmentMin + ", " + resegmentMax + "]; outlierFilter=" + outlierFilter
                + "; discretisation=" + discretisation.method() + " " + discretisation.value() + "; ivhStep=" + ivhStep
                + "; families=" + families.stream().sorted().toList() + "; aggregations=" + aggregations + "; unit=" + unit;
    }
}
