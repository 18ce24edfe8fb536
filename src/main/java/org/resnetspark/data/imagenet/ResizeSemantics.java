package org.resnetspark.data.imagenet;

/**
 * Where a bilinear resize samples the source for output index {@code i}, with {@code scale = in / out}
 * computed in float, as TensorFlow's {@code resize_bilinear} kernel does.
 */
public enum ResizeSemantics {
    /**
     * TF1 {@code tf.compat.v1.image.resize(..., BILINEAR, align_corners=False)}, i.e.
     * {@code half_pixel_centers=False}: source position {@code i * scale}. This is what TF official ResNet's
     * {@code imagenet_preprocessing._resize_image} calls, so it is the default for parity. It shifts the
     * image by about half a source pixel towards the top-left.
     */
    TF1_LEGACY,
    /**
     * TF2 {@code tf.image.resize(..., BILINEAR, antialias=False)}, OpenCV {@code INTER_LINEAR}, PIL:
     * source position {@code (i + 0.5) * scale - 0.5}.
     */
    HALF_PIXEL;

    /** The source position of output index {@code i}, in float arithmetic exactly as TensorFlow's scalers. */
    public float sourcePosition(int i, float scale) {
        return this == TF1_LEGACY ? (float) i * scale : ((float) i + 0.5f) * scale - 0.5f;
    }
}
