/**
 * IBSI radiomics (to come, issues 4, 6 and 9): settings and PyRadiomics-compatible parameter files, the
 * feature families (morphology, local intensity, intensity statistics and histograms, IVH, GLCM,
 * GLRLM, GLSZM, GLDZM, NGTDM, NGLDM) with IBSI's aggregation methods, matrix builders on the CPU and
 * CUDA backends, and the {@code FeatureExtractor} façade. Reuses engine-core's I/O and preprocessing.
 */
package io.hounsfield.radiomics;
