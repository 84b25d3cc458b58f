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

    /**
     * Texture features: PyRadiomics computes GLCM and GLRLM features per 3D direction and averages them
     * (IBSI's "3D, averaged"), and GLSZM, GLDM (IBSI's NGLDM, which PyRadiomics documents as the same
     * matrix) and NGTDM in 3D; its names apply to those aggregations only. PyRadiomics' SumSquares is
     * IBSI's joint variance; its MCC has no IBSI counterpart and is not computed.
     */
    private static final Map<String, String> TEXTURE = Map.ofEntries(
            Map.entry("QWB0", "original_glcm_Autocorrelation"), Map.entry("60VM", "original_glcm_JointAverage"),
            Map.entry("AE86", "original_glcm_ClusterProminence"), Map.entry("7NFM", "original_glcm_ClusterShade"),
            Map.entry("DG8W", "original_glcm_ClusterTendency"), Map.entry("ACUI", "original_glcm_Contrast"),
            Map.entry("NI2N", "original_glcm_Correlation"), Map.entry("TF7R", "original_glcm_DifferenceAverage"),
            Map.entry("NTRS", "original_glcm_DifferenceEntropy"), Map.entry("D3YU", "original_glcm_DifferenceVariance"),
            Map.entry("8ZQL", "original_glcm_JointEnergy"), Map.entry("TU9B", "original_glcm_JointEntropy"),
            Map.entry("R8DG", "original_glcm_Imc1"), Map.entry("JN9H", "original_glcm_Imc2"), Map.entry("WF0Z", "original_glcm_Idm"),
            Map.entry("1QCO", "original_glcm_Idmn"), Map.entry("IB1Z", "original_glcm_Id"), Map.entry("NDRX", "original_glcm_Idn"),
            Map.entry("E8JP", "original_glcm_InverseVariance"), Map.entry("GYBY", "original_glcm_MaximumProbability"),
            Map.entry("ZGXS", "original_glcm_SumAverage"), Map.entry("P6QZ", "original_glcm_SumEntropy"),
            Map.entry("UR99", "original_glcm_SumSquares"),
            Map.entry("22OV", "original_glrlm_ShortRunEmphasis"), Map.entry("W4KF", "original_glrlm_LongRunEmphasis"),
            Map.entry("R5YN", "original_glrlm_GrayLevelNonUniformity"), Map.entry("OVBL", "original_glrlm_GrayLevelNonUniformityNormalized"),
            Map.entry("W92Y", "original_glrlm_RunLengthNonUniformity"), Map.entry("IC23", "original_glrlm_RunLengthNonUniformityNormalized"),
            Map.entry("9ZK5", "original_glrlm_RunPercentage"), Map.entry("8CE5", "original_glrlm_GrayLevelVariance"),
            Map.entry("SXLW", "original_glrlm_RunVariance"), Map.entry("HJ9O", "original_glrlm_RunEntropy"),
            Map.entry("V3SW", "original_glrlm_LowGrayLevelRunEmphasis"), Map.entry("G3QZ", "original_glrlm_HighGrayLevelRunEmphasis"),
            Map.entry("HTZT", "original_glrlm_ShortRunLowGrayLevelEmphasis"), Map.entry("GD3A", "original_glrlm_ShortRunHighGrayLevelEmphasis"),
            Map.entry("IVPO", "original_glrlm_LongRunLowGrayLevelEmphasis"), Map.entry("3KUM", "original_glrlm_LongRunHighGrayLevelEmphasis"),
            Map.entry("5QRC", "original_glszm_SmallAreaEmphasis"), Map.entry("48P8", "original_glszm_LargeAreaEmphasis"),
            Map.entry("JNSA", "original_glszm_GrayLevelNonUniformity"), Map.entry("Y1RO", "original_glszm_GrayLevelNonUniformityNormalized"),
            Map.entry("4JP3", "original_glszm_SizeZoneNonUniformity"), Map.entry("VB3A", "original_glszm_SizeZoneNonUniformityNormalized"),
            Map.entry("P30P", "original_glszm_ZonePercentage"), Map.entry("BYLV", "original_glszm_GrayLevelVariance"),
            Map.entry("3NSA", "original_glszm_ZoneVariance"), Map.entry("GU8N", "original_glszm_ZoneEntropy"),
            Map.entry("XMSY", "original_glszm_LowGrayLevelZoneEmphasis"), Map.entry("5GN9", "original_glszm_HighGrayLevelZoneEmphasis"),
            Map.entry("5RAI", "original_glszm_SmallAreaLowGrayLevelEmphasis"), Map.entry("HW1V", "original_glszm_SmallAreaHighGrayLevelEmphasis"),
            Map.entry("YH51", "original_glszm_LargeAreaLowGrayLevelEmphasis"), Map.entry("J17V", "original_glszm_LargeAreaHighGrayLevelEmphasis"),
            Map.entry("QCDE", "original_ngtdm_Coarseness"), Map.entry("65HE", "original_ngtdm_Contrast"), Map.entry("NQ30", "original_ngtdm_Busyness"),
            Map.entry("HDEZ", "original_ngtdm_Complexity"), Map.entry("1X9X", "original_ngtdm_Strength"),
            Map.entry("SODN", "original_gldm_SmallDependenceEmphasis"), Map.entry("IMOQ", "original_gldm_LargeDependenceEmphasis"),
            Map.entry("FP8K", "original_gldm_GrayLevelNonUniformity"), Map.entry("Z87G", "original_gldm_DependenceNonUniformity"),
            Map.entry("OKJI", "original_gldm_DependenceNonUniformityNormalized"), Map.entry("1PFV", "original_gldm_GrayLevelVariance"),
            Map.entry("DNX2", "original_gldm_DependenceVariance"), Map.entry("FCBV", "original_gldm_DependenceEntropy"),
            Map.entry("TL9H", "original_gldm_LowGrayLevelEmphasis"), Map.entry("OAE7", "original_gldm_HighGrayLevelEmphasis"),
            Map.entry("EQ3F", "original_gldm_SmallDependenceLowGrayLevelEmphasis"),
            Map.entry("JA6D", "original_gldm_SmallDependenceHighGrayLevelEmphasis"),
            Map.entry("NBZI", "original_gldm_LargeDependenceLowGrayLevelEmphasis"),
            Map.entry("9QMG", "original_gldm_LargeDependenceHighGrayLevelEmphasis"));

    private PyRadiomicsNames() {
    }

    /** PyRadiomics' name for the (non-texture) feature with this IBSI code, if it has one with the same definition. */
    public static Optional<String> of(String ibsiCode) {
        return Optional.ofNullable(NAMES.get(ibsiCode));
    }

    /**
     * PyRadiomics' name for the feature with this IBSI code in this aggregation: texture features only in
     * the aggregation PyRadiomics computes ("3D, averaged" for GLCM and GLRLM, "3D" for the others).
     */
    public static Optional<String> of(String ibsiCode, String aggregation) {
        if (NAMES.containsKey(ibsiCode)) {
            return of(ibsiCode);
        }
        boolean pyradiomicsAggregation = aggregation.equals("3D, averaged") || aggregation.equals("3D");
        return pyradiomicsAggregation ? Optional.ofNullable(TEXTURE.get(ibsiCode)) : Optional.empty();
    }
}
