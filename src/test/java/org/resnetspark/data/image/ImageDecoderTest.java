package org.resnetspark.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Decoding of every quirk file, compared where possible with javax.imageio (+ TwelveMonkeys) as reference. */
class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder();

    private DecodedImage decodeQuirk(String name, int d) {
        return decoder.decode(TestData.bytes(TestData.quirk(name)), d, name);
    }

    @Test
    void cmykYcckGivesPlausibleColoursCloseToAColourManagedReference() {
        byte[] data = TestData.bytes(TestData.quirk("cmyk.jpg"));
        DecodedImage ours = decoder.decode(data, "cmyk.jpg");
        assertEquals(500, ours.width());
        assertEquals(333, ours.height());
        // TwelveMonkeys converts through the embedded ICC profile (the colour-correct answer); we, like
        // TensorFlow's decode_jpeg, convert Adobe-inverted CMYK naively. Measured: means R 110.0 G 132.9 B 110.5
        // vs 119.8 / 126.5 / 114.4, mean absolute difference 12.1 levels. Reading the CMYK non-inverted or
        // swapping channels would put the means tens of levels away and the pixel difference far above 20.
        DecodedImage reference = ImageIoReference.decode(data);
        double[] ourMean = ImageIoReference.meanRgb(ours);
        double[] refMean = ImageIoReference.meanRgb(reference);
        for (int c = 0; c < 3; c++) {
            assertEquals(refMean[c], ourMean[c], 12.0, "channel " + c + " of " + Arrays.toString(ourMean));
        }
        assertTrue(ImageIoReference.meanAbsDiff(ours, reference) < 15.0);
        // and the photo is neither black nor washed out
        assertTrue(ourMean[1] > 60 && ourMean[1] < 200);
    }

    @Test
    void grayscaleBecomesThreeEqualChannelsWithTheStoredValues() {
        byte[] data = TestData.bytes(TestData.quirk("grayscale.jpg"));
        DecodedImage img = decoder.decode(data, "grayscale.jpg");
        assertEquals(400, img.width());
        assertEquals(267, img.height());
        byte[] p = img.bgr();
        for (int i = 0; i < p.length; i += 3) {
            assertEquals(p[i], p[i + 1]);
            assertEquals(p[i], p[i + 2]);
        }
        assertEquals(0.0, ImageIoReference.meanAbsDiff(img, ImageIoReference.decode(data)), "vs javax.imageio raster");
    }

    @Test
    void progressiveDecodesLikeImageIo() {
        byte[] data = TestData.bytes(TestData.quirk("progressive.jpg"));
        DecodedImage img = decoder.decode(data, "progressive.jpg");
        assertEquals(256, img.width());
        assertEquals(160, img.height());
        // measured: identical to javax.imageio (both use libjpeg's accurate integer IDCT)
        assertTrue(ImageIoReference.maxAbsDiff(img, ImageIoReference.decode(data)) <= 1);
    }

    @Test
    void pngNamedJpegIsSniffedAndDecodedLosslessly() {
        byte[] data = TestData.bytes(TestData.quirk("png-named-as.JPEG"));
        ImageHeader header = ImageHeaderReader.read(data, "png");
        DecodedImage img = decoder.decode(data, 4, "png-named-as.JPEG");
        assertEquals(1, img.scaleDenominator(), "reduced scale applies to JPEG only");
        assertEquals(header.width(), img.width());
        assertEquals(header.height(), img.height());
        assertEquals(0, ImageIoReference.maxAbsDiff(img, ImageIoReference.decode(data)));
    }

    @Test
    void smallAndLargeDecodeAtFullAndReducedScales() {
        DecodedImage small = decodeQuirk("small-64x64.jpg", 1);
        assertEquals(64, small.width());
        assertEquals(64, small.height());
        byte[] data = TestData.bytes(TestData.quirk("small-64x64.jpg"));
        assertEquals(0, ImageIoReference.maxAbsDiff(small, ImageIoReference.decode(data)));
        for (int d : new int[] {1, 2, 4, 8}) {
            DecodedImage large = decodeQuirk("large-2725x2225.jpg", d);
            assertEquals(d, large.scaleDenominator());
            assertEquals((2725 + d - 1) / d, large.width(), "libjpeg rounds reduced sizes up");
            assertEquals((2225 + d - 1) / d, large.height());
        }
    }

    @Test
    void reducedScaleIsTheAverageOfTheFullScaleBlock() {
        // DCT-domain 1/8 scaling keeps only the DC coefficient: each pixel is its 8x8 block's mean (before
        // chroma upsampling and rounding). Check on the large photo that the means agree closely.
        DecodedImage full = decodeQuirk("large-2725x2225.jpg", 1);
        DecodedImage eighth = decodeQuirk("large-2725x2225.jpg", 8);
        double sum = 0;
        int n = 0;
        for (int y = 0; y + 8 <= full.height(); y += 8) {
            for (int x = 0; x + 8 <= full.width(); x += 8) {
                double mean = 0;
                for (int dy = 0; dy < 8; dy++) {
                    for (int dx = 0; dx < 8; dx++) {
                        mean += full.sample(x + dx, y + dy, 1);
                    }
                }
                sum += Math.abs(mean / 64 - eighth.sample(x / 8, y / 8, 1));
                n++;
            }
        }
        double meanAbs = sum / n;
        assertTrue(meanAbs < 2.5, "green block means differ by " + meanAbs);
    }

    @Test
    void truncatedPhotoIsACorruptImageNamingTheSource() {
        byte[] data = TestData.bytes(TestData.quirk("truncated-half.JPEG"));
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> decoder.decode(data, "validation-00003-of-00128#42"));
        assertTrue(e.getMessage().startsWith("validation-00003-of-00128#42: truncated JPEG: entropy-coded data"),
                e.getMessage());
    }

    @Test
    void garbageInsideTheHeadersIsRejected() {
        byte[] data = TestData.bytes(TestData.quirk("small-64x64.jpg")).clone();
        data[2 + 2 + 1] = (byte) 0xFF; // corrupt the APP0 segment length so the next marker is misplaced
        data[2 + 2] = (byte) 0x7F;
        assertThrows(CorruptImageException.class, () -> decoder.decode(data, "bad#1"));
    }

    @Test
    void oversizedImagesAreRefusedBeforeDecoding() {
        ImageDecoder tiny = new ImageDecoder(1000);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> tiny.decode(TestData.bytes(TestData.quirk("small-64x64.jpg")), "big#1"));
        assertTrue(e.getMessage().contains("exceeds the limit"), e.getMessage());
    }
}
