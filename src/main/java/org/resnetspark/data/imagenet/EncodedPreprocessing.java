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

    /**
     * @param boxes normalized object boxes, may be empty
     * @throws org.resnetspark.data.image.CorruptImageException if the image cannot be decoded
     */
    float[] train(byte[] encoded, float[][] boxes, SplittableRandom rng, String source);

    /** @throws org.resnetspark.data.image.CorruptImageException if the image cannot be decoded */
    float[] eval(byte[] encoded, String source);

    /** A serializable recipe that builds the preprocessing on an executor. */
    interface Factory extends Serializable {
        EncodedPreprocessing create();
    }
}
