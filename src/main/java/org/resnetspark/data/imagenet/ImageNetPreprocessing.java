package org.resnetspark.data.imagenet;

import java.util.SplittableRandom;
import org.resnetspark.data.image.CorruptImageException;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.ImageFormat;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;

/**
 * TF official ResNet ImageNet preprocessing ({@code official/vision/image_classification/resnet/
 * imagenet_preprocessing.py}) from encoded bytes to mean-subtracted float pixels, without Spark.
 *
 * <p><b>Train</b>: read the size from the header; {@link DistortedBoxSampler} picks the crop; decode only the
 * crop's pixels ({@link ImageDecoder#decodeRegion}; at 1/2, 1/4 or 1/8 scale in the DCT domain when the crop
 * keeps at least S pixels per side that way);
 * flip horizontally with probability 0.5; bilinear resize of the crop to S x S (aspect not kept); subtract
 * channel means. <b>Eval</b>: resize so the shorter side is {@code evalResizeMin} (aspect kept, sizes truncated
 * as TF's float32 {@code _smallest_size_at_least}), take the central S x S ({@code (h - S) // 2}), subtract
 * means. Only the S x S output pixels are ever computed.
 *
 * <p>Parity: with {@code reducedScaleDecoding} off, outputs equal TF's float for float on the same
 * decoded pixels. The default decoder ({@link ImageDecoder#likeTensorFlow()}) decodes as TF's
 * {@code decode_and_crop_jpeg} does by default: libjpeg-turbo, fast integer IDCT, fancy upsampling. Where the
 * native decoder is unavailable, OpenCV's accurate IDCT gives pixels about a level away. With reduced-scale
 * decoding on, the resize starts from a DCT-downscaled image (measured difference in the tests).
 *
 * <p>Thread-safe: no mutable state; randomness comes from the caller's {@link SplittableRandom} (split
 * one per partition and epoch). Output goes into caller-provided arrays at an offset, so a batch is
 * filled in place.
 */
public final class ImageNetPreprocessing implements EncodedPreprocessing {
    private final PreprocessingOptions options;
    private final DistortedBoxSampler sampler;
    private final ImageDecoder decoder;
    private final float[] means;

    public ImageNetPreprocessing(PreprocessingOptions options) {
        this(options, DistortedBoxSampler.imageNetDefaults(), ImageDecoder.likeTensorFlow());
    }

    public ImageNetPreprocessing(PreprocessingOptions options, DistortedBoxSampler sampler, ImageDecoder decoder) {
        this.options = options;
        this.sampler = sampler;
        this.decoder = decoder;
        this.means = new float[] {options.meanR(), options.meanG(), options.meanB()};
    }

    public PreprocessingOptions options() {
        return options;
    }

    /** Number of floats written per image: 3 * S * S. */
    @Override
    public int valuesPerImage() {
        return options.valuesPerImage();
    }

    /**
     * Training preprocessing into {@code out[offset .. offset + valuesPerImage())}.
     *
     * @param boxes  normalized {@code {ymin, xmin, ymax, xmax}} object boxes, may be empty or null
     * @param rng    source of all randomness (crop, flip); same seed and input give the same output
     * @param source names the record in error messages, e.g. {@code train-00003-of-01024#17}
     * @return the crop window that was used, in full-size pixels
     * @throws CorruptImageException if the image cannot be decoded correctly
     * @throws IllegalArgumentException if a box coordinate lies outside [0, 1]
     */
    public CropWindow train(byte[] encoded, float[][] boxes, SplittableRandom rng, String source, float[] out,
                            int offset) {
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        CropWindow crop;
        try {
            crop = sampler.sample(header.width(), header.height(), boxes, rng);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        // TF's random_flip_left_right: flip when uniform [0, 1) < 0.5
        boolean flip = rng.nextDouble() < 0.5;
        renderCrop(encoded, header, crop, flip, source, out, offset);
        return crop;
    }

    @Override
    public void trainInto(byte[] encoded, float[][] boxes, SplittableRandom rng, String source, float[] out,
                          int offset) {
        train(encoded, boxes, rng, source, out, offset);
    }

    /**
     * The deterministic part of training preprocessing: decode {@code crop} (at reduced scale when allowed
     * and large enough), optionally flip, resize to S x S, subtract means.
     *
     * @throws CorruptImageException if the image cannot be decoded correctly
     * @throws IllegalArgumentException if the crop does not fit in the image
     */
    public void renderCrop(byte[] encoded, CropWindow crop, boolean flip, String source, float[] out, int offset) {
        renderCrop(encoded, ImageHeaderReader.read(encoded, source), crop, flip, source, out, offset);
    }

    private void renderCrop(byte[] encoded, ImageHeader header, CropWindow crop, boolean flip, String source,
                            float[] out, int offset) {
        if (!crop.fitsIn(header.width(), header.height())) {
            throw new IllegalArgumentException(source + ": crop " + crop + " outside the " + header.width() + "x"
                    + header.height() + " image");
        }
        int s = options.outputSize();
        int d = ImageDecoder.effectiveScale(header,
                scaleDenominator(header, Math.min(crop.width(), crop.height()), s));
        AxisSampling xs = AxisSampling.of(options.resize(), crop.x(), crop.width(), s, 0, s, flip,
                ImageDecoder.ceilDiv(header.width(), d), d);
        AxisSampling ys = AxisSampling.of(options.resize(), crop.y(), crop.height(), s, 0, s, false,
                ImageDecoder.ceilDiv(header.height(), d), d);
        resample(encoded, header, d, xs, ys, source, out, offset);
    }

    /** Decodes just the source pixels the two samplings read (see {@link ImageDecoder#decodeRegion}), resamples. */
    private void resample(byte[] encoded, ImageHeader header, int d, AxisSampling xs, AxisSampling ys, String source,
                          float[] out, int offset) {
        int x = xs.first();
        int y = ys.first();
        DecodedImage image = decoder.decodeRegion(encoded, header, d, x, y, xs.last() - x + 1, ys.last() - y + 1,
                source);
        BilinearResampler.resample(image, xs, ys, means, options.layout(), out, offset);
    }

    /**
     * Evaluation preprocessing into {@code out[offset .. offset + valuesPerImage())}: deterministic.
     *
     * @throws CorruptImageException if the image cannot be decoded correctly
     */
    public void eval(byte[] encoded, String source, float[] out, int offset) {
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        int w = header.width();
        int h = header.height();
        int s = options.outputSize();
        int[] resized = smallestSizeAtLeast(h, w, options.evalResizeMin());
        int newH = resized[0];
        int newW = resized[1];
        if (newH < s || newW < s) {
            throw new IllegalStateException(source + ": resized size " + newW + "x" + newH + " smaller than crop " + s);
        }
        int top = (newH - s) / 2;
        int left = (newW - s) / 2;
        int d = ImageDecoder.effectiveScale(header, scaleDenominator(header, Math.min(w, h), options.evalResizeMin()));
        AxisSampling xs = AxisSampling.of(options.resize(), 0, w, newW, left, s, false, ImageDecoder.ceilDiv(w, d), d);
        AxisSampling ys = AxisSampling.of(options.resize(), 0, h, newH, top, s, false, ImageDecoder.ceilDiv(h, d), d);
        resample(encoded, header, d, xs, ys, source, out, offset);
    }

    @Override
    public void evalInto(byte[] encoded, String source, float[] out, int offset) {
        eval(encoded, source, out, offset);
    }

    /**
     * TF's {@code _smallest_size_at_least} in float32: scale = min / shorter side; sizes truncated.
     *
     * @return {new height, new width}
     */
    public static int[] smallestSizeAtLeast(int height, int width, int resizeMin) {
        float h = height;
        float w = width;
        float ratio = (float) resizeMin / Math.min(h, w);
        return new int[] {(int) (h * ratio), (int) (w * ratio)};
    }

    /**
     * The largest JPEG DCT scale 1/d (d in 8, 4, 2) at which {@code span} full-size pixels still give at least
     * {@code needed} decoded pixels; 1 when reduced decoding is off or the image is not a JPEG.
     */
    int scaleDenominator(ImageHeader header, int span, int needed) {
        if (!options.reducedScaleDecoding() || header.format() != ImageFormat.JPEG) {
            return 1;
        }
        for (int d = 8; d > 1; d /= 2) {
            if (span / d >= needed) {
                return d;
            }
        }
        return 1;
    }
}
