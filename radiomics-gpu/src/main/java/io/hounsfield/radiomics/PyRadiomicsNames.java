package io.hounsfield.radiomics;

import java.util.Map;
import java.util.Optional;

/**
 * PyRadiomics' names for the features whose definitions PyRadiomics shares with IBSI, so users can map
 * existing signatures (image type "original"). Left out on purpose where the definitions differ:
 * PyRadiomics' Kurtosis is not the excess kurtosis (IPH6 = Kurtosis − 3), and its compactness and
 * spherical disproportion are deprecated or absent.
 */
public final class PyRadiomicsNames {

    private static final Map<String, String> NAMES = Map.ofEntries(
            Map.entry("RNU0", "original_shape_MeshVolume"),
            Map.entry("YEKZ", "original_shape_VoxelVolume"),
            Map.entry("C0JK", "original_shape_SurfaceArea"),
            Map.entry("2PR5", "original_shape_SurfaceVolumeRatio"),
            Map.entry("QCFX", "original_shape_Sphericity"),
            Map.entry("L0JK", "original_shape_Maximum3DDiameter"),
            Map.entry("TDIC", "original_shape_MajorAxisLength"),
            Map.entry("P9VJ", "original_shape_MinorAxisLength"),
            Map.entry("7J51", "original_shape_LeastAxisLength"),
            Map.entry("Q3CK", "original_shape_Elongation"),
            Map.entry("N17B", "original_shape_Flatness"),
            Map.entry("Q4LE", "original_firstorder_Mean"),
            Map.entry("ECT3", "original_firstorder_Variance"),
            Map.entry("KE2A", "original_firstorder_Skewness"),
            Map.entry("Y12H", "original_firstorder_Median"),
            Map.entry("1GSF", "original_firstorder_Minimum"),
            Map.entry("QG58", "original_firstorder_10Percentile"),
            Map.entry("8DWT", "original_firstorder_90Percentile"),
            Map.entry("84IY", "original_firstorder_Maximum"),
            Map.entry("SALO", "original_firstorder_InterquartileRange"),
            Map.entry("2OJQ", "original_firstorder_Range"),
            Map.entry("4FUA", "original_firstorder_MeanAbsoluteDeviation"),
            Map.entry("1128", "original_firstorder_RobustMeanAbsoluteDeviation"),
            Map.entry("N8CA", "original_firstorder_Energy"),
            Map.entry("5ZWQ", "original_firstorder_RootMeanSquared"),
            Map.entry("TLU2", "original_firstorder_Entropy"),
            Map.entry("BJ5W", "original_firstorder_Uniformity"));

    private PyRadiomicsNames() {
    }

    /** PyRadiomics' name for the feature with this IBSI code, if it has one with the same definition. */
    public static Optional<String> of(String ibsiCode) {
        return Optional.ofNullable(NAMES.get(ibsiCode));
    }
}
