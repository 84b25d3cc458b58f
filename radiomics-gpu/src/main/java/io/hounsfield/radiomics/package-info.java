/**
 * IBSI radiomics: feature values and (in {@code .features}) the families' formulas, written once in Java
 * over the small results a {@link io.hounsfield.core.backend.ComputeBackend} produces (ROI samples,
 * histograms, and later meshes and texture matrices), so every backend gives the same features.
 * Implemented so far: local intensity, intensity-based statistics, intensity histogram and
 * intensity-volume histogram; settings, preprocessing, morphology, the texture families and the
 * {@code FeatureExtractor} façade follow.
 */
package io.hounsfield.radiomics;
