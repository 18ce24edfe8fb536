package org.resnetspark.data.imagenet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.NativeJpeg;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Resize semantics against values computed by hand. */
class BilinearResamplerTest {
    private static final float[] NO_MEANS = {0, 0, 0};

    /** A grey image whose samples are given row by row. */
    private static DecodedImage grey(int w, int h, int... values) {
        byte[] bgr = new byte[w * h * 3];
        for (int i = 0; i < values.length; i++) {
            bgr[3 * i] = bgr[3 * i + 1] = bgr[3 * i + 2] = (byte) values[i];
        }
        return new DecodedImage(w, h, 1, bgr);
    }

    /** Resizes the whole image to outW x outH and returns the red plane. */
    private static float[] resize(DecodedImage img, int outW, int outH, ResizeSemantics sem, boolean flip) {
        AxisSampling xs = AxisSampling.of(sem, 0, img.width(), outW, 0, outW, flip, img.width(), 1);
        AxisSampling ys = AxisSampling.of(sem, 0, img.height(), outH, 0, outH, false, img.height(), 1);
        float[] out = new float[3 * outW * outH];
        BilinearResampler.resample(img, xs, ys, NO_MEANS, TensorLayout.NCHW, out, 0);
        float[] red = new float[outW * outH];
        System.arraycopy(out, 0, red, 0, red.length);
        return red;
    }

    @Test
    void legacyTf1DownscaleSamplesAtIndexTimesScale() {
        // 4 -> 3: scale 4/3; positions 0, 1.333, 2.667 -> 0, 30 + 30/3, 60 + 30*2/3
        float[] out = resize(grey(4, 1, 0, 30, 60, 90), 3, 1, ResizeSemantics.TF1_LEGACY, false);
        assertArrayEquals(new float[] {0, 40, 80}, out, 1e-4f);
    }

    @Test
    void halfPixelDownscaleSamplesAtPixelCentres() {
        // positions (i + 0.5) * 4/3 - 0.5 = 0.1667, 1.5, 2.8333 -> 5, 45, 85
        float[] out = resize(grey(4, 1, 0, 30, 60, 90), 3, 1, ResizeSemantics.HALF_PIXEL, false);
        assertArrayEquals(new float[] {5, 45, 85}, out, 1e-4f);
    }

    @Test
    void upscaleClampsAtTheEdgesInBothConventions() {
        // 2 -> 4, scale 0.5. Legacy: 0, 0.5, 1, 1.5 (clamped to 1). Half-pixel: -0.25 (clamped), 0.25, 0.75, 1.25.
        assertArrayEquals(new float[] {0, 15, 30, 30},
                resize(grey(2, 1, 0, 30), 4, 1, ResizeSemantics.TF1_LEGACY, false), 1e-4f);
        assertArrayEquals(new float[] {0, 7.5f, 22.5f, 30},
                resize(grey(2, 1, 0, 30), 4, 1, ResizeSemantics.HALF_PIXEL, false), 1e-4f);
    }

    @Test
    void twoDimensionalBlendIsBilinear() {
        // 2x2 {0, 40; 80, 120} -> 4x4 legacy: positions 0, .5, 1, 1 on both axes
        float[] out = resize(grey(2, 2, 0, 40, 80, 120), 4, 4, ResizeSemantics.TF1_LEGACY, false);
        assertArrayEquals(new float[] {
            0, 20, 40, 40,
            40, 60, 80, 80,
            80, 100, 120, 120,
            80, 100, 120, 120}, out, 1e-4f);
    }

    @Test
    void flipMirrorsTheSourceBeforeResizingLikeTf() {
        // TF flips the crop, then resizes; with the asymmetric legacy sampling that differs from flipping
        // the output. Flipped 4 -> 3 of {0,30,60,90} = resize of {90,60,30,0} = 90, 50, 10.
        float[] flipped = resize(grey(4, 1, 0, 30, 60, 90), 3, 1, ResizeSemantics.TF1_LEGACY, true);
        assertArrayEquals(resize(grey(4, 1, 90, 60, 30, 0), 3, 1, ResizeSemantics.TF1_LEGACY, false), flipped, 0f);
        assertArrayEquals(new float[] {90, 50, 10}, flipped, 1e-4f);
    }

    @Test
    void channelsComeOutAsRgbMinusMeansInBothLayouts() {
        byte[] bgr = new byte[2 * 2 * 3];
        for (int i = 0; i < 4; i++) {
            bgr[3 * i] = 10;     // B
            bgr[3 * i + 1] = 20; // G
            bgr[3 * i + 2] = (byte) 200; // R, unsigned
        }
        DecodedImage img = new DecodedImage(2, 2, 1, bgr);
        float[] means = {123.68f, 116.78f, 103.94f};
        AxisSampling xs = AxisSampling.of(ResizeSemantics.TF1_LEGACY, 0, 2, 3, 0, 3, false, 2, 1);
        AxisSampling ys = AxisSampling.of(ResizeSemantics.TF1_LEGACY, 0, 2, 3, 0, 3, false, 2, 1);
        float[] nchw = new float[27 + 5];
        float[] nhwc = new float[27 + 5];
        BilinearResampler.resample(img, xs, ys, means, TensorLayout.NCHW, nchw, 5);
        BilinearResampler.resample(img, xs, ys, means, TensorLayout.NHWC, nhwc, 5);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 3; x++) {
                float[] expected = {200 - 123.68f, 20 - 116.78f, 10 - 103.94f};
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected[c], nchw[5 + TensorLayout.NCHW.index(3, 3, y, x, c)], 0f);
                    assertEquals(expected[c], nhwc[5 + TensorLayout.NHWC.index(3, 3, y, x, c)], 0f);
                }
            }
        }
        assertEquals(0f, nchw[0]);
        assertEquals(0f, nhwc[4]);
    }

    @Test
    void reducedScaleMapsPixelCentresThroughTheScaleDenominator() {
        // crop [8, 24) of a 32-pixel axis decoded at 1/4 (8 pixels covering [4m, 4m + 4)), resized 16 -> 4.
        // Legacy positions 0, 4, 8, 12 (crop-local) -> original centres 8.5, 12.5, 16.5, 20.5 -> reduced
        // (c / 4) - 0.5 = 1.625, 2.625, 3.625, 4.625; indices are clamped to the reduced pixels inside the
        // crop, [2, 5], as TF clamps to the crop's own edge.
        AxisSampling s = AxisSampling.of(ResizeSemantics.TF1_LEGACY, 8, 16, 4, 0, 4, false, 8, 4);
        assertEquals(2, s.lower(0));
        assertEquals(2, s.upper(0));
        for (int i = 1; i < 4; i++) {
            assertEquals(1 + i, s.lower(i));
            assertEquals(2 + i, s.upper(i));
            assertEquals(0.625f, s.lerp(i), 1e-6f);
        }
    }
    /**
     * The C loop gives the Java loop's floats bit for bit: random pixels, both resize semantics, down- and
     * upscaling, flips, a region with an origin, reduced-scale decoding, both layouts, an output offset.
     */
    @Test
    void nativeLoopGivesTheJavaLoopsValuesExactly() {
        assertTrue(NativeJpeg.available(), "the JPEG library should be built and loaded here: " + NativeJpeg.status());
        SplittableRandom rng = new SplittableRandom(7);
        float[] means = {123.68f, 116.78f, 103.94f};
        for (int trial = 0; trial < 60; trial++) {
            int w = 1 + rng.nextInt(300);
            int h = 1 + rng.nextInt(300);
            int d = new int[] {1, 2, 4, 8}[rng.nextInt(4)];
            int dw = (w + d - 1) / d;
            int dh = (h + d - 1) / d;
            int outW = 1 + rng.nextInt(120);
            int outH = 1 + rng.nextInt(120);
            ResizeSemantics sem = ResizeSemantics.values()[rng.nextInt(ResizeSemantics.values().length)];
            AxisSampling xs = AxisSampling.of(sem, 0, w, outW, 0, outW, rng.nextBoolean(), dw, d);
            AxisSampling ys = AxisSampling.of(sem, 0, h, outH, 0, outH, false, dh, d);
            // the region the decoder would return: just the columns and rows the samplings read
            int x0 = xs.first();
            int y0 = ys.first();
            int rw = xs.last() - x0 + 1;
            int rh = ys.last() - y0 + 1;
            byte[] bgr = new byte[rw * rh * 3];
            for (int i = 0; i < bgr.length; i++) {
                bgr[i] = (byte) rng.nextInt(256);
            }
            DecodedImage region = new DecodedImage(x0, y0, rw, rh, d, bgr);
            for (TensorLayout layout : TensorLayout.values()) {
                int offset = rng.nextInt(10);
                float[] java = new float[offset + 3 * outW * outH + 3];
                float[] c = new float[java.length];
                Arrays.fill(java, -1f);
                Arrays.fill(c, -1f);
                BilinearResampler.resample(region, xs, ys, means, layout, java, offset, false);
                BilinearResampler.resample(region, xs, ys, means, layout, c, offset, true);
                for (int i = 0; i < java.length; i++) {
                    if (Float.floatToRawIntBits(java[i]) != Float.floatToRawIntBits(c[i])) {
                        fail("trial " + trial + " (" + sem + ", " + layout + ", " + w + "x" + h + "/" + d + " -> "
                                + outW + "x" + outH + "): value " + i + " is " + c[i] + " in C, " + java[i]
                                + " in Java");
                    }
                }
            }
        }
    }
}
