package org.resnetspark.data.imagenet;

import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.NativeJpeg;

/**
 * Resamples decoded 8-bit BGR pixels to float RGB with per-channel means subtracted, writing straight into
 * a caller's array (a batch buffer) in NCHW or NHWC order.
 *
 * <p>The blend is TensorFlow's {@code compute_lerp} in float: {@code top = tl + (tr - tl) * xl},
 * {@code bottom = bl + (br - bl) * xl}, {@code v = top + (bottom - top) * yl}, then {@code v - mean}.
 * The horizontal blends of a source row are computed once and reused by every output row that needs
 * that row (same values, fewer operations).
 *
 * <p>Where {@link NativeJpeg}'s library is loaded, the loop runs in its C version
 * ({@code src/main/c/bilinear_resample.c}): the same float operations in the same order, so the same values bit
 * for bit; with it the train preprocessing ran 1.22-1.42x as fast (PERFORMANCE.md, session 21).
 */
public final class BilinearResampler {
    /** System property: {@code java} keeps the resampling in Java where the native loop is available (comparisons). */
    public static final String PROPERTY = "resnet.spark.resample";
    private static final boolean IN_NATIVE_CODE = NativeJpeg.available()
            && !"java".equalsIgnoreCase(System.getProperty(PROPERTY, ""));

    private BilinearResampler() {
    }

    /**
     * @param image     decoded pixels holding every source index the samplings read (a region is enough)
     * @param means     R, G, B values subtracted from every output value
     * @param out       destination; {@code 3 * ys.size() * xs.size()} values are written from {@code offset}
     */
    public static void resample(DecodedImage image, AxisSampling xs, AxisSampling ys, float[] means,
                                TensorLayout layout, float[] out, int offset) {
        resample(image, xs, ys, means, layout, out, offset, IN_NATIVE_CODE);
    }

    /** {@code inNativeCode}: the loop of {@code src/main/c/bilinear_resample.c} (same values), else Java's. */
    static void resample(DecodedImage image, AxisSampling xs, AxisSampling ys, float[] means, TensorLayout layout,
                         float[] out, int offset, boolean inNativeCode) {
        int outW = xs.size();
        int outH = ys.size();
        if (offset < 0 || offset + 3 * outW * outH > out.length) {
            throw new IllegalArgumentException("output of " + 3 * outW * outH + " values at offset " + offset
                    + " does not fit in an array of " + out.length);
        }
        byte[] src = image.bgr();
        int rowBytes = image.width() * 3;
        int x0 = image.originX();
        int y0 = image.originY();
        if (xs.first() < x0 || xs.last() >= x0 + image.width() || ys.first() < y0 || ys.last() >= y0 + image.height()) {
            throw new IllegalArgumentException("sampling reads columns [" + xs.first() + ", " + xs.last() + "], rows ["
                    + ys.first() + ", " + ys.last() + "] of a decoded region of " + image.width() + "x" + image.height()
                    + " at " + x0 + "," + y0);
        }
        int[] xLo = new int[outW];
        int[] xHi = new int[outW];
        float[] xLerp = new float[outW];
        for (int j = 0; j < outW; j++) {
            xLo[j] = (xs.lower(j) - x0) * 3;
            xHi[j] = (xs.upper(j) - x0) * 3;
            xLerp[j] = xs.lerp(j);
        }
        if (inNativeCode) {
            resampleInC(image, xLo, xHi, xLerp, ys, means, layout, out, offset);
            return;
        }
        float[][] rows = {new float[outW * 3], new float[outW * 3]};
        float[] srcRow = new float[rowBytes];
        // the bytes of a row that any blend reads: all of them for a region decode, a part of a whole image's
        int[] used = {(xs.first() - x0) * 3, (xs.last() - x0) * 3 + 3};
        int[] rowOf = {-1, -1};
        float meanR = means[0], meanG = means[1], meanB = means[2];
        int plane = outW * outH;
        for (int i = 0; i < outH; i++) {
            int topSlot = rowSlot(ys.lower(i) - y0, -1, rows, rowOf, src, rowBytes, srcRow, used, xLo, xHi,
                    xLerp);
            int bottomSlot = rowSlot(ys.upper(i) - y0, topSlot, rows, rowOf, src, rowBytes, srcRow, used, xLo, xHi,
                    xLerp);
            float[] top = rows[topSlot];
            float[] bottom = rows[bottomSlot];
            float yl = ys.lerp(i);
            if (layout == TensorLayout.NHWC) {
                int o = offset + i * outW * 3;
                for (int j = 0, k = 0; j < outW; j++, k += 3, o += 3) {
                    out[o] = top[k + 2] + (bottom[k + 2] - top[k + 2]) * yl - meanR;
                    out[o + 1] = top[k + 1] + (bottom[k + 1] - top[k + 1]) * yl - meanG;
                    out[o + 2] = top[k] + (bottom[k] - top[k]) * yl - meanB;
                }
            } else {
                int o = offset + i * outW;
                for (int j = 0, k = 0; j < outW; j++, k += 3, o++) {
                    out[o] = top[k + 2] + (bottom[k + 2] - top[k + 2]) * yl - meanR;
                    out[o + plane] = top[k + 1] + (bottom[k + 1] - top[k + 1]) * yl - meanG;
                    out[o + 2 * plane] = top[k] + (bottom[k] - top[k]) * yl - meanB;
                }
            }
        }
    }

    /** The vertical tables relative to the region, then the C loop; the indices are checked by the caller. */
    private static void resampleInC(DecodedImage image, int[] xLo, int[] xHi, float[] xLerp, AxisSampling ys,
                                    float[] means, TensorLayout layout, float[] out, int offset) {
        int outH = ys.size();
        int[] yLo = new int[outH];
        int[] yHi = new int[outH];
        float[] yLerp = new float[outH];
        for (int i = 0; i < outH; i++) {
            yLo[i] = ys.lower(i) - image.originY();
            yHi[i] = ys.upper(i) - image.originY();
            yLerp[i] = ys.lerp(i);
        }
        String error = resampleNative(image.bgr(), image.width() * 3, xLo, xHi, xLerp, yLo, yHi, yLerp, means[0],
                means[1], means[2], layout == TensorLayout.NHWC, out, offset);
        if (error != null) {
            throw new IllegalStateException("resampling a " + image.width() + "x" + image.height() + " region: "
                    + error);
        }
    }

    /**
     * The loop below in C, same values ({@code src/main/c/bilinear_resample.c}, in {@link NativeJpeg}'s library);
     * every index must already be checked. Returns null, or what went wrong.
     */
    private static native String resampleNative(byte[] src, int rowBytes, int[] xLo, int[] xHi, float[] xLerp,
                                                int[] yLo, int[] yHi, float[] yLerp, float meanR, float meanG,
                                                float meanB, boolean nhwc, float[] out, int offset);

    /** Returns the cache slot holding the horizontal blend of source row {@code y}, computing it if needed. */
    private static int rowSlot(int y, int keep, float[][] rows, int[] rowOf, byte[] src, int rowBytes, float[] srcRow,
                               int[] used, int[] xLo, int[] xHi, float[] xLerp) {
        if (rowOf[0] == y) {
            return 0;
        }
        if (rowOf[1] == y) {
            return 1;
        }
        // Rows are requested in non-decreasing order, so the slot with the smaller row is the stale one.
        int slot = keep == 0 ? 1 : keep == 1 ? 0 : (rowOf[0] <= rowOf[1] ? 0 : 1);
        float[] row = rows[slot];
        // bytes to float once per source row, in a loop the JIT vectorizes; the gathers below then only blend
        int base = y * rowBytes;
        for (int i = used[0], end = used[1]; i < end; i++) {
            srcRow[i] = src[base + i] & 0xFF;
        }
        for (int j = 0, k = 0; j < xLo.length; j++, k += 3) {
            int a = xLo[j];
            int b = xHi[j];
            float l = xLerp[j];
            float tl0 = srcRow[a], tl1 = srcRow[a + 1], tl2 = srcRow[a + 2];
            row[k] = tl0 + (srcRow[b] - tl0) * l;
            row[k + 1] = tl1 + (srcRow[b + 1] - tl1) * l;
            row[k + 2] = tl2 + (srcRow[b + 2] - tl2) * l;
        }
        rowOf[slot] = y;
        return slot;
    }
}
