package org.resnetspark.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Region decoding through libjpeg-turbo ({@link NativeJpeg}) gives exactly the pixels of OpenCV's whole-image
 * decode, for every region, scale and kind of JPEG here (baseline, progressive, grey, CMYK, large, small).
 */
class NativeJpegTest {
    private final ImageDecoder decoder = new ImageDecoder();
    private final ImageDecoder fastDct = ImageDecoder.likeTensorFlow();

    @Test
    void isLoadedWhereTheBuildCouldCompileIt() {
        // The build compiles it wherever libjpeg-turbo's headers are; a silent fall-back to OpenCV must fail here.
        if (Files.exists(Path.of("/usr/include/jpeglib.h"))) {
            assertTrue(NativeJpeg.available(), NativeJpeg.status());
            assertTrue(NativeJpeg.status().startsWith("libjpeg-turbo 2."), NativeJpeg.status());
        }
    }

    @Test
    void regionsAtEveryScaleEqualOpenCvsWholeImageDecode() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String quirk : List.of("cmyk.jpg", "grayscale.jpg", "progressive.jpg", "large-2725x2225.jpg",
                "small-64x64.jpg")) {
            files.add(TestData.quirk(quirk));
        }
        try (Stream<Path> photos = Files.list(TestData.samplePhotos())) {
            photos.filter(p -> p.toString().endsWith(".JPEG")).sorted().limit(40).forEach(files::add);
        }
        SplittableRandom rng = new SplittableRandom(5);
        int regions = 0;
        for (Path file : files) {
            byte[] data = TestData.bytes(file);
            String name = file.getFileName().toString();
            ImageHeader header = ImageHeaderReader.read(data, name);
            for (int d : new int[] {1, 2, 4, 8}) {
                int w = ImageDecoder.ceilDiv(header.width(), d);
                int h = ImageDecoder.ceilDiv(header.height(), d);
                DecodedImage whole = ImageDecoder.opencvDecode(data, header, d, w, h, name);
                assertSame(whole, decoder.decode(data, d, name), name + " whole at 1/" + d);
                DecodedImage wholeFast = fastDct.decode(data, d, name);
                for (int k = 0; k < 4; k++) {
                    int rw = 1 + rng.nextInt(w);
                    int rh = 1 + rng.nextInt(h);
                    int x = rng.nextInt(w - rw + 1);
                    int y = rng.nextInt(h - rh + 1);
                    String what = name + " region " + x + "," + y + " " + rw + "x" + rh + " at 1/" + d;
                    assertSame(whole, decoder.decodeRegion(data, header, d, x, y, rw, rh, name), what);
                    assertSame(wholeFast, fastDct.decodeRegion(data, header, d, x, y, rw, rh, name),
                            what + ", fast IDCT");
                    regions++;
                }
            }
        }
        assertEquals(files.size() * 16, regions);
    }

    @Test
    void fastIdctIsTensorFlowsDefaultAndDiffersFromTheAccurateOneByAboutALevel() {
        byte[] data = TestData.bytes(TestData.samplePhotos().resolve(firstPhoto()));
        DecodedImage accurate = decoder.decode(data, 1, "photo");
        DecodedImage fast = fastDct.decode(data, 1, "photo");
        double sum = 0;
        int max = 0;
        byte[] a = accurate.bgr();
        byte[] f = fast.bgr();
        for (int i = 0; i < a.length; i++) {
            int diff = Math.abs((a[i] & 0xFF) - (f[i] & 0xFF));
            sum += diff;
            max = Math.max(max, diff);
        }
        double mean = sum / a.length;
        System.out.printf("fast vs accurate IDCT: mean |diff| %.3f levels, max %d%n", mean, max);
        // a different IDCT, not another image: measured 1.11 levels on average, at most 12, on this photo
        assertTrue(mean > 0.05 && mean < 1.5, "mean |accurate - fast| " + mean);
        assertTrue(max < 40, "max |accurate - fast| " + max);
    }

    private static String firstPhoto() {
        try (Stream<Path> photos = Files.list(TestData.samplePhotos())) {
            return photos.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".JPEG")).sorted().findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void regionsOutsideTheImageAreRefusedNamingTheSource() {
        byte[] data = TestData.bytes(TestData.quirk("small-64x64.jpg"));
        ImageHeader header = ImageHeaderReader.read(data, "small#3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> decoder.decodeRegion(data, header, 2, 20, 0, 13, 32, "small#3"));
        assertTrue(e.getMessage().startsWith("small#3: region 20,0 13x32 outside the 32x32 image"), e.getMessage());
    }

    @Test
    void corruptEntropyDataIsACorruptImageNamingTheSource() {
        byte[] data = TestData.bytes(TestData.quirk("small-64x64.jpg")).clone();
        // a JPEG whose frame header claims 12-bit samples: libjpeg refuses it where the structure check cannot
        int sof = indexOfMarker(data, 0xC0);
        data[sof + 4] = 12;
        assertThrows(CorruptImageException.class, () -> decoder.decode(data, 1, "small#4"));
    }

    private static int indexOfMarker(byte[] data, int marker) {
        for (int i = 0; i + 1 < data.length; i++) {
            if ((data[i] & 0xFF) == 0xFF && (data[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker " + Integer.toHexString(marker));
    }

    /** Every pixel of {@code part} equals the pixel at the same image position in {@code whole}. */
    private static void assertSame(DecodedImage whole, DecodedImage part, String what) {
        assertEquals(whole.scaleDenominator(), part.scaleDenominator(), what);
        for (int y = part.originY(); y < part.originY() + part.height(); y++) {
            for (int x = part.originX(); x < part.originX() + part.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    if (whole.sample(x, y, c) != part.sample(x, y, c)) {
                        throw new AssertionError(what + ": pixel " + x + "," + y + " channel " + c + " is "
                                + part.sample(x, y, c) + ", whole-image decode " + whole.sample(x, y, c));
                    }
                }
            }
        }
    }
}
