package org.resnetspark.data.imagenet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DistortedBoxSamplerTest {
    private final DistortedBoxSampler sampler = DistortedBoxSampler.imageNetDefaults();

    private List<CropWindow> sampleMany(int w, int h, float[][] boxes, long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<CropWindow> crops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            crops.add(sampler.sample(w, h, boxes, rng));
        }
        return crops;
    }

    @Test
    void withoutBoxesCropsRespectAreaAspectAndImageBounds() {
        int w = 500, h = 375;
        double minFraction = 1, maxFraction = 0, sumFraction = 0;
        for (CropWindow c : sampleMany(w, h, new float[0][], 1, 5000)) {
            assertTrue(c.fitsIn(w, h), c.toString());
            double fraction = (double) c.width() * c.height() / (w * h);
            // area range [0.05, 1], but the implicit whole-image box must be covered to 0.1, so >= 0.1
            assertTrue(fraction >= 0.1 && fraction <= 1.0, "area fraction " + fraction);
            // width = round(height * aspect), so w/h may leave the range by half a pixel over h
            double aspect = (double) c.width() / c.height();
            double slack = 0.5 / c.height();
            assertTrue(aspect >= 0.75 - slack && aspect <= 1.33 + slack, "aspect " + aspect + " of " + c);
            // TF draws offsets from [0, H - h): a smaller crop never reaches the last row/column
            if (c.height() < h) {
                assertTrue(c.y() + c.height() < h, c.toString());
            }
            minFraction = Math.min(minFraction, fraction);
            maxFraction = Math.max(maxFraction, fraction);
            sumFraction += fraction;
        }
        // the whole range is used: heights are uniform between the smallest and largest allowed
        assertTrue(minFraction < 0.11, "smallest area fraction " + minFraction);
        assertTrue(maxFraction > 0.9, "largest area fraction " + maxFraction);
        double mean = sumFraction / 5000;
        assertTrue(mean > 0.3 && mean < 0.5, "mean area fraction " + mean);
    }

    @Test
    void everyGeneratedCropCoversAtLeastATenthOfABox() {
        int w = 640, h = 480;
        float[][] boxes = {{0.05f, 0.6f, 0.25f, 0.9f}}; // ymin, xmin, ymax, xmax: a small object top right
        int bx0 = (int) (0.6f * w), by0 = (int) (0.05f * h), bx1 = (int) (0.9f * w), by1 = (int) (0.25f * h);
        double boxArea = (double) (bx1 - bx0) * (by1 - by0);
        int fallbacks = 0;
        for (CropWindow c : sampleMany(w, h, boxes, 7, 3000)) {
            if (c.equals(CropWindow.full(w, h))) {
                fallbacks++;
                continue;
            }
            int ix = Math.min(c.x() + c.width(), bx1) - Math.max(c.x(), bx0);
            int iy = Math.min(c.y() + c.height(), by1) - Math.max(c.y(), by0);
            double covered = (ix > 0 && iy > 0 ? (double) ix * iy : 0) / boxArea;
            assertTrue(covered >= 0.1, "crop " + c + " covers " + covered);
        }
        assertTrue(fallbacks < 30, fallbacks + " fallbacks to the whole image");
    }

    @Test
    void anyOfSeveralBoxesMaySatisfyTheCoverage() {
        int w = 400, h = 400;
        float[][] boxes = {{0f, 0f, 0.1f, 0.1f}, {0.9f, 0.9f, 1f, 1f}};
        boolean coversFirstOnly = false, coversSecondOnly = false;
        for (CropWindow c : sampleMany(w, h, boxes, 11, 2000)) {
            boolean first = c.x() < 40 && c.y() < 40;
            boolean second = c.x() + c.width() > 360 && c.y() + c.height() > 360;
            assertTrue(first || second || c.equals(CropWindow.full(w, h)), c.toString());
            coversFirstOnly |= first && !second;
            coversSecondOnly |= second && !first;
        }
        assertTrue(coversFirstOnly && coversSecondOnly);
    }

    @Test
    void boxesSmallerThanAPixelAreIgnoredSoTheWholeImageIsReturned() {
        float[][] degenerate = {{0.5f, 0.5f, 0.5f, 0.5f}};
        for (CropWindow c : sampleMany(300, 200, degenerate, 3, 50)) {
            assertEquals(CropWindow.full(300, 200), c);
        }
    }

    @Test
    void sameSeedSameCropsDifferentSeedDifferentCrops() {
        float[][] boxes = {{0.1f, 0.2f, 0.8f, 0.7f}};
        assertEquals(sampleMany(500, 333, boxes, 42, 200), sampleMany(500, 333, boxes, 42, 200));
        assertNotEquals(sampleMany(500, 333, boxes, 42, 200), sampleMany(500, 333, boxes, 43, 200));
    }

    @Test
    void tinyImagesStillGiveValidCrops() {
        for (CropWindow c : sampleMany(1, 1, null, 5, 20)) {
            assertEquals(CropWindow.full(1, 1), c);
        }
        for (CropWindow c : sampleMany(3, 50, null, 5, 200)) {
            assertTrue(c.fitsIn(3, 50), c.toString());
        }
    }

    @Test
    void coordinatesOutsideTheUnitIntervalAreRejectedAsTfDoes() {
        float[][] bad = {{0f, 0f, 1.2f, 1f}};
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(100, 100, bad, new SplittableRandom(1)));
    }
}
