package org.resnetspark.data.imagenet;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Encoded image bytes to network input for one example: randomized for training, deterministic for evaluation.
 * {@link ImageNetPreprocessing} is TF official ResNet's ImageNet pipeline; other families plug in their own
 * (e.g. {@code org.resnetspark.serve.EncodedImagePreprocessor} for CIFAR-style standardization of encoded
 * images). Implementations need not be Serializable: a {@link Factory} builds them inside tasks.
 */
public interface EncodedPreprocessing {

    /** Number of floats one image becomes. */
    int valuesPerImage();

    /**
     * Training preprocessing into {@code out[offset .. offset + valuesPerImage())}.
     *
     * @param boxes normalized object boxes, may be empty
     * @throws org.resnetspark.data.image.CorruptImageException if the image cannot be decoded
     */
    void trainInto(byte[] encoded, float[][] boxes, SplittableRandom rng, String source, float[] out, int offset);

    /**
     * Evaluation preprocessing into {@code out[offset .. offset + valuesPerImage())}.
     *
     * @throws org.resnetspark.data.image.CorruptImageException if the image cannot be decoded
     */
    void evalInto(byte[] encoded, String source, float[] out, int offset);

    /** {@link #trainInto} into a new array. */
    default float[] train(byte[] encoded, float[][] boxes, SplittableRandom rng, String source) {
        float[] out = new float[valuesPerImage()];
        trainInto(encoded, boxes, rng, source, out, 0);
        return out;
    }

    /** {@link #evalInto} into a new array. */
    default float[] eval(byte[] encoded, String source) {
        float[] out = new float[valuesPerImage()];
        evalInto(encoded, source, out, 0);
        return out;
    }

    /** A serializable recipe that builds the preprocessing on an executor. */
    interface Factory extends Serializable {
        EncodedPreprocessing create();
    }
}
