package org.resnetspark.data.imagenet;

import org.resnetspark.data.image.ImageDecoder;

/**
 * Bilinear sampling of one axis: for each output index, the two source indices to blend and the weight
 * of the second. Precomputed once per image and axis, so the per-pixel loop only blends.
 *
 * <p>At full scale ({@code d = 1}) the table is TensorFlow's {@code compute_interpolation_weights} for a
 * resize of the <em>cropped</em> (and possibly flipped) image: {@code lower = max(floor(p), 0)},
 * {@code upper = min(ceil(p), len - 1)}, {@code lerp = p - floor(p)}, in float; so the result is
 * bit-for-bit what TF computes for decode_and_crop → flip → resize. Clamping happens at the crop's
 * edges, as when the crop is a separate image.
 *
 * <p>At reduced scale ({@code d > 1}, DCT-domain decoding) the same continuous position is mapped into the
 * reduced grid, where pixel {@code m} covers original pixels {@code [m d, (m + 1) d)} and thus has its
 * centre at original coordinate {@code (m + 0.5) d}: {@code r = (origin + p + 0.5) / d - 0.5}, clamped to
 * the reduced pixels that overlap the crop.
 */
public final class AxisSampling {
    private final int[] lower;
    private final int[] upper;
    private final float[] lerp;

    private AxisSampling(int[] lower, int[] upper, float[] lerp) {
        this.lower = lower;
        this.upper = upper;
        this.lerp = lerp;
    }

    /**
     * Samples for {@code count} consecutive outputs, starting at output index {@code firstOutput}, of a
     * resize of the span {@code [origin, origin + length)} (full-scale pixels) to {@code resizedLength}.
     *
     * @param flip          mirror the span before resizing (TF flips the crop, then resizes)
     * @param decodedLength number of pixels of the decoded image on this axis
     * @param d             scale denominator of the decoded image (1, 2, 4, 8)
     */
    public static AxisSampling of(ResizeSemantics semantics, int origin, int length, int resizedLength,
                                  int firstOutput, int count, boolean flip, int decodedLength, int d) {
        if (length <= 0 || resizedLength <= 0 || firstOutput < 0 || firstOutput + count > resizedLength) {
            throw new IllegalArgumentException("cannot take outputs [" + firstOutput + ", " + (firstOutput + count)
                    + ") of a resize of " + length + " pixels to " + resizedLength);
        }
        if (ImageDecoder.ceilDiv(origin + length, d) > decodedLength) {
            throw new IllegalArgumentException("span [" + origin + ", " + (origin + length) + ") lies outside a "
                    + decodedLength + "-pixel axis decoded at 1/" + d);
        }
        float scale = length / (float) resizedLength;
        int[] lower = new int[count];
        int[] upper = new int[count];
        float[] lerp = new float[count];
        int reducedLo = origin / d;
        int reducedHi = ImageDecoder.ceilDiv(origin + length, d) - 1;
        for (int i = 0; i < count; i++) {
            float p = semantics.sourcePosition(firstOutput + i, scale);
            if (d == 1) {
                float pf = (float) Math.floor(p);
                int lo = Math.min(Math.max((int) pf, 0), length - 1);
                int hi = Math.min((int) Math.ceil(p), length - 1);
                hi = Math.max(hi, 0);
                lower[i] = flip ? origin + length - 1 - lo : origin + lo;
                upper[i] = flip ? origin + length - 1 - hi : origin + hi;
                lerp[i] = p - pf;
            } else {
                double c = flip ? (length - 1) - (double) p : p;
                double r = (origin + c + 0.5) / d - 0.5;
                double rf = Math.floor(r);
                lower[i] = clamp((int) rf, reducedLo, reducedHi);
                upper[i] = clamp((int) rf + 1, reducedLo, reducedHi);
                lerp[i] = (float) (r - rf);
            }
        }
        return new AxisSampling(lower, upper, lerp);
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    public int size() {
        return lower.length;
    }

    /** The smallest source index any output reads. */
    public int first() {
        int m = Integer.MAX_VALUE;
        for (int i = 0; i < lower.length; i++) {
            m = Math.min(m, Math.min(lower[i], upper[i]));
        }
        return m;
    }

    /** The largest source index any output reads. */
    public int last() {
        int m = Integer.MIN_VALUE;
        for (int i = 0; i < lower.length; i++) {
            m = Math.max(m, Math.max(lower[i], upper[i]));
        }
        return m;
    }

    /** First source index blended into output {@code i}. */
    public int lower(int i) {
        return lower[i];
    }

    /** Second source index blended into output {@code i}. */
    public int upper(int i) {
        return upper[i];
    }

    /** Weight of {@link #upper(int)} in output {@code i}: {@code v = a + (b - a) * lerp}. */
    public float lerp(int i) {
        return lerp[i];
    }
}
