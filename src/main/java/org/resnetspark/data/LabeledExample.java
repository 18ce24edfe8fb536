package org.resnetspark.data;

/**
 * One preprocessed example: features already in the model's layout (e.g. 3x32x32 for NCHW, 32x32x3 for NHWC,
 * flattened row-major) and a 0-based class label.
 */
public record LabeledExample(float[] features, int label) {
}
