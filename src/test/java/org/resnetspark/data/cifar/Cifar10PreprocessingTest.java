package org.resnetspark.data.cifar;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** TensorFlow cifar10_main preprocessing on hand-made records, without Spark. */
class Cifar10PreprocessingTest {

    /** A record whose pixel (c, y, x) is 1 + (c * 7 + y * 3 + x) % 250: never 0, so padding is visible. */
    static byte[] record(int label) {
        byte[] r = new byte[Cifar10Files.RECORD_BYTES];
        r[0] = (byte) label;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    r[1 + c * 1024 + y * 32 + x] = (byte) pixel(c, y, x);
                }
            }
        }
        return r;
    }

    static int pixel(int c, int y, int x) {
        return 1 + (c * 7 + y * 3 + x) % 250;
    }

    static float at(float[] chw, int c, int y, int x) {
        return chw[c * 1024 + y * 32 + x];
    }

    @Test
    void cropWindowIsTheShiftedPaddedImage() {
        byte[] rec = record(3);
        for (int top = 0; top <= 8; top += 4) {
            for (int left = 0; left <= 8; left += 2) {
                float[] out = Cifar10Preprocessing.padCropFlip(rec, top, left, false);
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 32; y++) {
                        for (int x = 0; x < 32; x++) {
                            int sy = y + top - 4;
                            int sx = x + left - 4;
                            boolean inside = sy >= 0 && sy < 32 && sx >= 0 && sx < 32;
                            assertEquals(inside ? pixel(c, sy, sx) : 0, at(out, c, y, x),
                                    "crop (" + top + "," + left + ") at " + c + "," + y + "," + x);
                        }
                    }
                }
            }
        }
        // the corners: (0,0) has a 4-pixel zero border top-left, (8,8) bottom-right
        float[] tl = Cifar10Preprocessing.padCropFlip(rec, 0, 0, false);
        assertEquals(0, at(tl, 0, 3, 3));
        assertEquals(pixel(0, 0, 0), at(tl, 0, 4, 4));
        float[] br = Cifar10Preprocessing.padCropFlip(rec, 8, 8, false);
        assertEquals(pixel(2, 31, 31), at(br, 2, 27, 27));
        assertEquals(0, at(br, 2, 28, 28));
    }

    @Test
    void flipMirrorsColumns() {
        byte[] rec = record(0);
        float[] plain = Cifar10Preprocessing.padCropFlip(rec, 2, 6, false);
        float[] flipped = Cifar10Preprocessing.padCropFlip(rec, 2, 6, true);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    // TF crops, then flips the crop: flipped(x) = crop(31 - x)
                    assertEquals(at(plain, c, y, 31 - x), at(flipped, c, y, x));
                }
            }
        }
    }

    @Test
    void standardizationGivesZeroMeanUnitStdAndFloorsTheStd() {
        float[] img = Cifar10Preprocessing.padCropFlip(record(1), 4, 4, false);
        Cifar10Preprocessing.standardize(img);
        double mean = 0;
        double sq = 0;
        for (float v : img) {
            mean += v;
            sq += v * v;
        }
        mean /= img.length;
        assertEquals(0, mean, 1e-5);
        assertEquals(1, Math.sqrt(sq / img.length - mean * mean), 1e-4);

        float[] flat = new float[Cifar10Preprocessing.VALUES];
        java.util.Arrays.fill(flat, 64f);
        double d = 1.0 / 1024;
        flat[0] = (float) (64 + d); // exact in float; std ~ 1.8e-5, far below the floor 1/sqrt(3072) = 0.018
        Cifar10Preprocessing.standardize(flat);
        assertEquals(d * (1 - 1.0 / 3072) * Math.sqrt(3072), flat[0], 1e-6, "divided by the floor, not by std");
    }

    @Test
    void evalIsStandardizationOnly() {
        byte[] rec = record(9);
        float[] expected = new float[Cifar10Preprocessing.VALUES];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = rec[1 + i] & 0xff;
        }
        Cifar10Preprocessing.standardize(expected);
        assertArrayEquals(expected, Cifar10Preprocessing.eval(rec, CNN2DFormat.NCHW), 0f);
    }

    @Test
    void trainDrawsEveryCropOriginAndBothFlipsAndMatchesOneOfThem() {
        byte[] rec = record(4);
        SplittableRandom rnd = new SplittableRandom(5);
        Set<String> seen = new HashSet<>();
        for (int draw = 0; draw < 2000; draw++) {
            float[] out = Cifar10Preprocessing.train(rec, rnd, CNN2DFormat.NCHW);
            seen.add(matchingWindow(rec, out));
        }
        assertEquals(9 * 9 * 2, seen.size(), "all 81 crop origins inside the 40x40 image, flipped or not");
    }

    /** The (top, left, flip) whose standardized window equals {@code out}. */
    private static String matchingWindow(byte[] rec, float[] out) {
        for (int top = 0; top <= 8; top++) {
            for (int left = 0; left <= 8; left++) {
                for (boolean flip : new boolean[] {false, true}) {
                    float[] w = Cifar10Preprocessing.padCropFlip(rec, top, left, flip);
                    Cifar10Preprocessing.standardize(w);
                    if (java.util.Arrays.equals(w, out)) {
                        return top + "," + left + "," + flip;
                    }
                }
            }
        }
        return fail("output matches no crop window of the padded image");
    }

    @Test
    void nchwAndNhwcHoldTheSameValues() {
        byte[] rec = record(2);
        long seed = 11;
        float[] nchw = Cifar10Preprocessing.train(rec, new SplittableRandom(seed), CNN2DFormat.NCHW);
        float[] nhwc = Cifar10Preprocessing.train(rec, new SplittableRandom(seed), CNN2DFormat.NHWC);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    assertEquals(nchw[c * 1024 + y * 32 + x], nhwc[(y * 32 + x) * 3 + c]);
                }
            }
        }
        assertArrayEquals(new long[] {32, 32, 3}, Cifar10Preprocessing.exampleShape(CNN2DFormat.NHWC));
        assertTrue(nchw[0] != nchw[1] || nchw[1] != nchw[2], "not constant");
    }
}
