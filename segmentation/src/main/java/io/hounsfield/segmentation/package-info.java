/**
 * ONNX segmentation: models ({@code .onnx} plus a descriptor) loaded once into a {@link
 * io.hounsfield.segmentation.ModelRegistry} (ONNX Runtime's CPU provider; its CUDA provider where its
 * native libraries load), sliding-window inference with Gaussian blending ({@link
 * io.hounsfield.segmentation.SlidingWindow}), post-processing (argmax or threshold, largest connected
 * component, hole filling), and the whole image-to-mask path ({@link io.hounsfield.segmentation.Segmenter}).
 * Models never come from the network.
 */
package io.hounsfield.segmentation;
