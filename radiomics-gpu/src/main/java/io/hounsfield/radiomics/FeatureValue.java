package io.hounsfield.radiomics;

/**
 * One computed feature.
 *
 * @param ibsiCode    the IBSI identifier (e.g. "Q4LE")
 * @param family      IBSI's family name (e.g. "intensity-based statistics")
 * @param name        IBSI's feature name (e.g. "Mean intensity")
 * @param aggregation IBSI's wording: "3D", "2D, averaged", "2.5D, merged", ...
 * @param value       the value
 * @param unit        "HU", "mm³", "" (dimensionless), ...
 */
public record FeatureValue(String ibsiCode, String family, String name, String aggregation, double value, String unit) {
}
