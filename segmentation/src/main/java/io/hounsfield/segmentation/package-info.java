/**
 * ONNX segmentation (to come, issue 7): ONNX Runtime sessions (CPU; the CUDA execution provider where
 * its native libraries load), model descriptors, sliding-window inference with Gaussian blending,
 * and post-processing (argmax, largest connected component, hole filling). Models never come from
 * the network.
 */
package io.hounsfield.segmentation;
