package org.resnetspark.data.imagenet;

/**
 * Settings of {@link ImageNetPreprocessing}. Immutable; start from {@link #defaults()} or
 * {@link #forOutputSize(int)} and change one thing at a time with the {@code with...} methods.
 *
 * @param outputSize          side S of the square output (224 in TF official ResNet)
 * @param evalResizeMin       eval: shorter side after the aspect-preserving resize (256 for S = 224)
 * @param meanR               value subtracted from the red channel (123.68)
 * @param meanG               value subtracted from the green channel (116.78)
 * @param meanB               value subtracted from the blue channel (103.94)
 * @param layout              NCHW or NHWC
 * @param resize              sampling convention of the bilinear resize
 * @param reducedScaleDecoding let JPEGs be decoded at 1/2, 1/4 or 1/8 scale when the crop still keeps at
 *                            least S (train) or {@code evalResizeMin} (eval) pixels per side; off = TF's
 *                            exact full-scale decode
 */
public record PreprocessingOptions(int outputSize, int evalResizeMin, float meanR, float meanG, float meanB,
                                   TensorLayout layout, ResizeSemantics resize, boolean reducedScaleDecoding) {
    public PreprocessingOptions {
        if (outputSize <= 0) {
            throw new IllegalArgumentException("output size must be positive: " + outputSize);
        }
        if (evalResizeMin < outputSize) {
            throw new IllegalArgumentException("eval resize (" + evalResizeMin + ") must be at least the output size ("
                    + outputSize + ") for a central crop");
        }
        if (layout == null || resize == null) {
            throw new IllegalArgumentException("layout and resize semantics are required");
        }
    }

    /** TF official ResNet: 224, eval resize 256, means R 123.68 G 116.78 B 103.94, NCHW, TF1 resize. */
    public static PreprocessingOptions defaults() {
        return forOutputSize(224);
    }

    /** Defaults with output size S and eval resize round(S * 256 / 224). */
    public static PreprocessingOptions forOutputSize(int outputSize) {
        return new PreprocessingOptions(outputSize, (int) Math.round(outputSize * 256.0 / 224.0), 123.68f, 116.78f,
                103.94f, TensorLayout.NCHW, ResizeSemantics.TF1_LEGACY, true);
    }

    public PreprocessingOptions withLayout(TensorLayout newLayout) {
        return new PreprocessingOptions(outputSize, evalResizeMin, meanR, meanG, meanB, newLayout, resize,
                reducedScaleDecoding);
    }

    public PreprocessingOptions withResize(ResizeSemantics newResize) {
        return new PreprocessingOptions(outputSize, evalResizeMin, meanR, meanG, meanB, layout, newResize,
                reducedScaleDecoding);
    }

    public PreprocessingOptions withReducedScaleDecoding(boolean enabled) {
        return new PreprocessingOptions(outputSize, evalResizeMin, meanR, meanG, meanB, layout, resize, enabled);
    }

    public PreprocessingOptions withMeans(float r, float g, float b) {
        return new PreprocessingOptions(outputSize, evalResizeMin, r, g, b, layout, resize, reducedScaleDecoding);
    }

    public PreprocessingOptions withEvalResizeMin(int newEvalResizeMin) {
        return new PreprocessingOptions(outputSize, newEvalResizeMin, meanR, meanG, meanB, layout, resize,
                reducedScaleDecoding);
    }

    /** Number of floats of one preprocessed image: 3 * S * S. */
    public int valuesPerImage() {
        return 3 * outputSize * outputSize;
    }
}
