package org.resnetspark.data.cifar;

import org.deeplearning4j.nn.conf.CNN2DFormat;

import java.util.SplittableRandom;

import static org.resnetspark.data.cifar.Cifar10Files.CHANNELS;
import static org.resnetspark.data.cifar.Cifar10Files.IMAGE_SIZE;

/**
 * TensorFlow official {@code cifar10_main.preprocess_image}, on one raw record (label byte + CHW pixel bytes):
 * training pads the image to 40x40 with zeros, takes a random 32x32 crop, flips it horizontally with
 * probability 1/2, then standardizes it; evaluation only standardizes. Standardization is TF's
 * {@code per_image_standardization}: {@code (x - mean) / max(std, 1/sqrt(N))} over all N = 3072 values.
 * Pure functions without Spark; output is 3x32x32 (NCHW) or 32x32x3 (NHWC), flattened row-major.
 */
public final class Cifar10Preprocessing {

    /** Zero padding on each side before the random crop (40x40 padded image). */
    public static final int PAD = 4;
    /** Values per image. */
    public static final int VALUES = CHANNELS * IMAGE_SIZE * IMAGE_SIZE;

    private static final int PLANE = IMAGE_SIZE * IMAGE_SIZE;

    private Cifar10Preprocessing() {
    }

    /** Training preprocessing: random crop origin and flip from {@code rnd}, then standardization. */
    public static float[] train(byte[] record, SplittableRandom rnd, CNN2DFormat format) {
        int top = rnd.nextInt(2 * PAD + 1);
        int left = rnd.nextInt(2 * PAD + 1);
        boolean flip = rnd.nextBoolean();
        float[] chw = padCropFlip(record, top, left, flip);
        standardize(chw);
        return toLayout(chw, format);
    }

    /** Evaluation preprocessing: standardization only. */
    public static float[] eval(byte[] record, CNN2DFormat format) {
        float[] chw = padCropFlip(record, PAD, PAD, false); // the centre crop of the padded image = the image
        standardize(chw);
        return toLayout(chw, format);
    }

    /**
     * The 32x32 window at ({@code top}, {@code left}) (each 0..8) of the zero-padded 40x40 image, mirrored
     * left-right when {@code flip}; raw pixel values 0..255 in CHW order.
     */
    public static float[] padCropFlip(byte[] record, int top, int left, boolean flip) {
        if (top < 0 || top > 2 * PAD || left < 0 || left > 2 * PAD) {
            throw new IllegalArgumentException("crop origin (" + top + ", " + left + ") outside 0.." + 2 * PAD);
        }
        float[] out = new float[VALUES];
        for (int c = 0; c < CHANNELS; c++) {
            for (int y = 0; y < IMAGE_SIZE; y++) {
                int sy = y + top - PAD; // row in the unpadded image
                if (sy < 0 || sy >= IMAGE_SIZE) {
                    continue; // zero padding
                }
                for (int x = 0; x < IMAGE_SIZE; x++) {
                    int sx = (flip ? IMAGE_SIZE - 1 - x : x) + left - PAD;
                    if (sx >= 0 && sx < IMAGE_SIZE) {
                        out[c * PLANE + y * IMAGE_SIZE + x] = record[1 + c * PLANE + sy * IMAGE_SIZE + sx] & 0xff;
                    }
                }
            }
        }
        return out;
    }

    /** In place: {@code (x - mean) / max(std, 1/sqrt(N))}, mean and population std over all values. */
    public static void standardize(float[] img) {
        double sum = 0;
        double sq = 0;
        for (float v : img) {
            sum += v;
            sq += (double) v * v;
        }
        int n = img.length;
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        double scale = 1 / Math.max(std, 1 / Math.sqrt(n));
        for (int i = 0; i < n; i++) {
            img[i] = (float) ((img[i] - mean) * scale);
        }
    }

    /** CHW as is for NCHW; transposed to HWC for NHWC. */
    public static float[] toLayout(float[] chw, CNN2DFormat format) {
        if (format == CNN2DFormat.NCHW) {
            return chw;
        }
        float[] hwc = new float[VALUES];
        for (int c = 0; c < CHANNELS; c++) {
            for (int i = 0; i < PLANE; i++) {
                hwc[i * CHANNELS + c] = chw[c * PLANE + i];
            }
        }
        return hwc;
    }

    /** Shape of one example in {@code format}: {3, 32, 32} or {32, 32, 3}. */
    public static long[] exampleShape(CNN2DFormat format) {
        return format == CNN2DFormat.NCHW ? new long[] {CHANNELS, IMAGE_SIZE, IMAGE_SIZE}
                : new long[] {IMAGE_SIZE, IMAGE_SIZE, CHANNELS};
    }
}
