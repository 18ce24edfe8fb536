package org.resnetspark.data.imagenet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.resnetspark.data.image.CorruptImageException;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.TestData;

class ImageNetPreprocessingTest {
    private static final int S = 224;
    private final ImageNetPreprocessing prep = new ImageNetPreprocessing(PreprocessingOptions.defaults());
    private final ImageNetPreprocessing fullScale =
            new ImageNetPreprocessing(PreprocessingOptions.defaults().withReducedScaleDecoding(false));

    private static byte[] quirk(String name) {
        return TestData.bytes(TestData.quirk(name));
    }

    private static byte[] photo(String file) {
        return TestData.bytes(TestData.samplePhotos().resolve(file));
    }

    /**
     * Eval written the straightforward way: full decode, resize the whole image to the TF size with the TF1
     * formula pixel by pixel, slice the centre, subtract means; output NHWC.
     */
    private static float[] referenceEval(byte[] encoded) {
        DecodedImage img = ImageDecoder.likeTensorFlow().decode(encoded, "ref");
        int h = img.height(), w = img.width();
        int[] size = ImageNetPreprocessing.smallestSizeAtLeast(h, w, 256);
        int nh = size[0], nw = size[1];
        float sy = h / (float) nh, sx = w / (float) nw;
        float[][][] resized = new float[nh][nw][3];
        for (int y = 0; y < nh; y++) {
            float iy = y * sy;
            int y0 = (int) Math.floor(iy), y1 = Math.min((int) Math.ceil(iy), h - 1);
            float yl = iy - (float) Math.floor(iy);
            for (int x = 0; x < nw; x++) {
                float ix = x * sx;
                int x0 = (int) Math.floor(ix), x1 = Math.min((int) Math.ceil(ix), w - 1);
                float xl = ix - (float) Math.floor(ix);
                for (int c = 0; c < 3; c++) {
                    int bgr = 2 - c;
                    float tl = img.sample(x0, y0, bgr), tr = img.sample(x1, y0, bgr);
                    float bl = img.sample(x0, y1, bgr), br = img.sample(x1, y1, bgr);
                    float top = tl + (tr - tl) * xl;
                    float bottom = bl + (br - bl) * xl;
                    resized[y][x][c] = top + (bottom - top) * yl;
                }
            }
        }
        int top = (nh - S) / 2, left = (nw - S) / 2;
        float[] means = {123.68f, 116.78f, 103.94f};
        float[] out = new float[S * S * 3];
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                for (int c = 0; c < 3; c++) {
                    out[(y * S + x) * 3 + c] = resized[top + y][left + x][c] - means[c];
                }
            }
        }
        return out;
    }

    private static double meanAbsDiff(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    private static void assertPlausiblePixels(float[] out, String what) {
        assertEquals(3 * S * S, out.length, what);
        for (float v : out) {
            assertTrue(v >= -123.68f - 1e-3f && v <= 255 - 103.94f + 1e-3f, what + ": value " + v);
        }
    }

    @Test
    void evalEqualsAStraightforwardFullDecodeResizeAndCentralCrop() {
        ImageNetPreprocessing nhwc = new ImageNetPreprocessing(PreprocessingOptions.defaults()
                .withLayout(TensorLayout.NHWC));
        // landscape, portrait-ish/grey, upscaled (160 px short side), CMYK
        for (byte[] data : List.of(photo("n01440764_tench.JPEG"), photo("n01496331_electric_ray.JPEG"),
                quirk("grayscale.jpg"), quirk("progressive.jpg"), quirk("cmyk.jpg"))) {
            float[] ours = nhwc.eval(data, "eval");
            assertArrayEquals(referenceEval(data), ours, 1e-4f);
        }
    }

    @Test
    void reducedScaleEvalOfALargePhotoStaysCloseToFullScale() {
        byte[] data = quirk("large-2725x2225.jpg");
        float[] reduced = prep.eval(data, "large"); // 2225 / 8 = 278 >= 256: decoded at 1/8
        float[] full = fullScale.eval(data, "large");
        double mad = meanAbsDiff(reduced, full);
        // Measured 4.96 levels: full-scale TF resize point-samples (no anti-aliasing) an 8.7x reduction of a
        // textured photo, the DCT path averages 8x8 blocks first; the difference is the reference's aliasing
        // (crop test below: a 16 px shift costs more than the reduced/full difference).
        System.out.printf("eval large photo, reduced (1/8) vs full decode: mean |diff| %.3f%n", mad);
        assertTrue(mad < 6.0, "mean abs diff " + mad);
        assertPlausiblePixels(reduced, "large eval");
    }

    @Test
    void reducedScaleCropMatchesFullDecodeOfTheSameCrop() {
        byte[] data = quirk("large-2725x2225.jpg");
        // 1800x1600 -> 1/4 (400 px short side >= 224); 1000x900 -> 1/4; 500x460 -> 1/2
        for (CropWindow crop : List.of(new CropWindow(300, 200, 1800, 1600), new CropWindow(1500, 1100, 1000, 900),
                new CropWindow(7, 13, 500, 460))) {
            for (boolean flip : new boolean[] {false, true}) {
                float[] reduced = new float[3 * S * S];
                float[] full = new float[3 * S * S];
                prep.renderCrop(data, crop, flip, "large", reduced, 0);
                fullScale.renderCrop(data, crop, flip, "large", full, 0);
                double mad = meanAbsDiff(reduced, full);
                System.out.printf("crop %s flip %s: reduced vs full mean |diff| %.3f%n", crop, flip, mad);
                // measured 0.66 (1/2), 2.63 and 3.58 (1/4) levels with TF's fast IDCT (0.50, 2.40 and 3.38 with the
                // accurate one); a crop shifted by 16 px gives more (below)
                assertTrue(mad < 3.8, crop + " flip " + flip + ": mean abs diff " + mad);
            }
        }
        // control: the same crop shifted by 16 px is clearly different, so the tolerance is meaningful
        float[] a = new float[3 * S * S];
        float[] b = new float[3 * S * S];
        prep.renderCrop(data, new CropWindow(300, 200, 1800, 1600), false, "large", a, 0);
        fullScale.renderCrop(data, new CropWindow(316, 200, 1800, 1600), false, "large", b, 0);
        System.out.printf("crop shifted by 16 px: mean |diff| %.3f%n", meanAbsDiff(a, b));
        assertTrue(meanAbsDiff(a, b) > 4.0, "shifted crop differs by only " + meanAbsDiff(a, b));
    }

    @Test
    void everyDecodableQuirkGivesAnSxSImageInTrainAndEval() {
        SplittableRandom rng = new SplittableRandom(2024);
        for (String name : List.of("cmyk.jpg", "grayscale.jpg", "progressive.jpg", "png-named-as.JPEG",
                "large-2725x2225.jpg", "small-64x64.jpg")) {
            byte[] data = quirk(name);
            assertPlausiblePixels(prep.train(data, new float[0][], rng, name), name + " train");
            assertPlausiblePixels(prep.eval(data, name), name + " eval");
        }
        ImageNetPreprocessing small = new ImageNetPreprocessing(PreprocessingOptions.forOutputSize(96));
        assertEquals(110, small.options().evalResizeMin());
        assertEquals(3 * 96 * 96, small.eval(quirk("small-64x64.jpg"), "small").length);
    }

    @Test
    void grayscaleOutputHasEqualChannelsBeforeMeans() {
        float[] out = prep.train(quirk("grayscale.jpg"), null, new SplittableRandom(5), "grey");
        int plane = S * S;
        for (int i = 0; i < plane; i++) {
            assertEquals(out[i] + 123.68f, out[plane + i] + 116.78f, 1e-3f);
            assertEquals(out[i] + 123.68f, out[2 * plane + i] + 103.94f, 1e-3f);
        }
    }

    @Test
    void truncatedImageFailsTrainAndEvalWithItsSource() {
        byte[] data = quirk("truncated-half.JPEG");
        CorruptImageException train = assertThrows(CorruptImageException.class,
                () -> prep.train(data, new float[0][], new SplittableRandom(1), "train-00007-of-01024#99"));
        assertTrue(train.getMessage().startsWith("train-00007-of-01024#99: truncated JPEG"), train.getMessage());
        CorruptImageException eval = assertThrows(CorruptImageException.class,
                () -> prep.eval(data, "validation-00000-of-00128#3"));
        assertEquals("validation-00000-of-00128#3", eval.source());
    }

    @Test
    void trainIsReproducibleForASeedAndOverwritesItsSlotsOfABatch() {
        byte[] a = photo("n01440764_tench.JPEG");
        byte[] b = quirk("cmyk.jpg");
        float[][] boxes = {{0.1f, 0.1f, 0.9f, 0.8f}};
        float[] first = prep.train(a, boxes, new SplittableRandom(99), "a");
        assertArrayEquals(first, prep.train(a, boxes, new SplittableRandom(99), "a"));
        SplittableRandom rng = new SplittableRandom(7);
        float[] batch = new float[2 * prep.valuesPerImage() + 1];
        // batch arrays are recycled (FeatureArrayPool): every value of a slot must be written
        Arrays.fill(batch, Float.NaN);
        prep.train(a, boxes, rng, "a", batch, 1);
        prep.train(b, boxes, rng, "b", batch, 1 + prep.valuesPerImage());
        SplittableRandom same = new SplittableRandom(7);
        float[] ea = prep.train(a, boxes, same, "a");
        float[] eb = prep.train(b, boxes, same, "b");
        for (int i = 0; i < ea.length; i++) {
            assertEquals(ea[i], batch[1 + i]);
            assertEquals(eb[i], batch[1 + ea.length + i]);
        }
        assertTrue(Float.isNaN(batch[0]), "outside the slots: untouched");
    }

    @Test
    void nchwAndNhwcOutputsAreTransposes() {
        ImageNetPreprocessing nhwc = new ImageNetPreprocessing(PreprocessingOptions.defaults()
                .withLayout(TensorLayout.NHWC));
        byte[] data = photo("n01496331_electric_ray.JPEG");
        float[] chw = prep.train(data, null, new SplittableRandom(3), "x");
        float[] hwc = nhwc.train(data, null, new SplittableRandom(3), "x");
        float[] chwEval = prep.eval(data, "x");
        float[] hwcEval = nhwc.eval(data, "x");
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(chw[(c * S + y) * S + x], hwc[(y * S + x) * 3 + c]);
                    assertEquals(chwEval[(c * S + y) * S + x], hwcEval[(y * S + x) * 3 + c]);
                }
            }
        }
    }

    @Test
    void trainFlipsAboutHalfOfTheTime() {
        // Same crop sampled twice only differs by the flip draw; count flips via the returned crop plus a
        // comparison with renderCrop.
        byte[] data = photo("n01440764_tench.JPEG");
        int flips = 0;
        SplittableRandom rng = new SplittableRandom(123);
        float[] out = new float[prep.valuesPerImage()];
        float[] unflipped = new float[prep.valuesPerImage()];
        for (int i = 0; i < 40; i++) {
            CropWindow crop = prep.train(data, null, rng, "t", out, 0);
            prep.renderCrop(data, crop, false, "t", unflipped, 0);
            if (!java.util.Arrays.equals(out, unflipped)) {
                flips++;
            }
        }
        assertTrue(flips >= 10 && flips <= 30, flips + " of 40 flipped");
    }

    @Test
    void decodingOnlyTheCropGivesTheSameOutputsAsDecodingWholeImages() {
        // same IDCT on both sides (the accurate one, OpenCV's), so any difference is the region arithmetic's
        PreprocessingOptions options = PreprocessingOptions.defaults();
        ImageNetPreprocessing region = new ImageNetPreprocessing(options, DistortedBoxSampler.imageNetDefaults(),
                new ImageDecoder());
        ImageNetPreprocessing whole = new ImageNetPreprocessing(options, DistortedBoxSampler.imageNetDefaults(),
                ImageDecoder.wholeImagesWithOpenCv());
        SplittableRandom a = new SplittableRandom(17);
        SplittableRandom b = new SplittableRandom(17);
        List<String[]> rows = TestData.sampleLabels().subList(0, 60);
        for (String[] row : rows) {
            byte[] data = photo(row[0]);
            assertArrayEquals(whole.train(data, null, b, row[0]), region.train(data, null, a, row[0]), row[0]);
            assertArrayEquals(whole.eval(data, row[0]), region.eval(data, row[0]), row[0] + " eval");
        }
        byte[] large = quirk("large-2725x2225.jpg");
        for (int i = 0; i < 10; i++) { // crops of 2725x2225 mostly decode at 1/2 .. 1/8
            assertArrayEquals(whole.train(large, null, b, "large"), region.train(large, null, a, "large"), "large " + i);
        }
    }

    @Test
    void throughputSmokeRunOverTheSamplePhotos() {
        List<String[]> rows = TestData.sampleLabels();
        SplittableRandom rng = new SplittableRandom(1);
        float[] out = new float[prep.valuesPerImage()];
        long start = System.nanoTime();
        for (String[] row : rows) {
            prep.train(photo(row[0]), null, rng, row[0], out, 0);
            assertTrue(Float.isFinite(out[out.length - 1]));
        }
        long mid = System.nanoTime();
        for (String[] row : rows) {
            prep.eval(photo(row[0]), row[0], out, 0);
        }
        long end = System.nanoTime();
        System.out.printf("smoke run, %d photos (not a benchmark; see `bench input`): train %.0f img/s,"
                        + " eval %.0f img/s%n", rows.size(), rows.size() / ((mid - start) / 1e9),
                rows.size() / ((end - mid) / 1e9));
    }
}
