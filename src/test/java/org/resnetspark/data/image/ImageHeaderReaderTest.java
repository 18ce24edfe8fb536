package org.resnetspark.data.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageHeaderReaderTest {

    private static ImageHeader header(String quirk) {
        return ImageHeaderReader.read(TestData.bytes(TestData.quirk(quirk)), quirk);
    }

    @Test
    void readsSizeComponentsAndColourTransformOfEveryQuirk() {
        assertEquals(new ImageHeader(ImageFormat.JPEG, 500, 333, 4, false, 2), header("cmyk.jpg"));
        assertEquals(new ImageHeader(ImageFormat.JPEG, 400, 267, 1, false, -1), header("grayscale.jpg"));
        assertEquals(new ImageHeader(ImageFormat.JPEG, 256, 160, 3, true, -1), header("progressive.jpg"));
        assertEquals(new ImageHeader(ImageFormat.JPEG, 2725, 2225, 3, false, -1), header("large-2725x2225.jpg"));
        assertEquals(new ImageHeader(ImageFormat.JPEG, 64, 64, 3, false, -1), header("small-64x64.jpg"));
        // the header of the truncated photo is intact: only the pixels are missing
        assertEquals(new ImageHeader(ImageFormat.JPEG, 500, 375, 3, false, -1), header("truncated-half.JPEG"));
        ImageHeader png = header("png-named-as.JPEG");
        assertEquals(ImageFormat.PNG, png.format());
        assertTrue(png.width() > 0 && png.height() > 0);
    }

    @Test
    void completeFilesPassTheStructureCheck() {
        for (String quirk : List.of("cmyk.jpg", "grayscale.jpg", "progressive.jpg", "large-2725x2225.jpg",
                "small-64x64.jpg", "png-named-as.JPEG")) {
            ImageHeaderReader.requireComplete(TestData.bytes(TestData.quirk(quirk)), quirk);
        }
    }

    @Test
    void truncatedHalfIsReportedWithItsSource() {
        byte[] data = TestData.bytes(TestData.quirk("truncated-half.JPEG"));
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> ImageHeaderReader.requireComplete(data, "train-00001-of-01024#7"));
        assertEquals("train-00001-of-01024#7", e.source());
        assertTrue(e.getMessage().startsWith("train-00001-of-01024#7: truncated JPEG"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void everyCutOfABaselineAndAProgressiveJpegIsDetected() {
        for (String quirk : List.of("small-64x64.jpg", "progressive.jpg", "cmyk.jpg")) {
            byte[] data = TestData.bytes(TestData.quirk(quirk));
            // cuts in headers, in every part of the entropy data, and just before/inside the EOI marker
            for (int cut : new int[] {1, 3, 20, data.length / 10, data.length / 3, data.length / 2,
                    data.length * 9 / 10, data.length - 2, data.length - 1}) {
                byte[] cutData = Arrays.copyOf(data, cut);
                assertThrows(CorruptImageException.class, () -> {
                    ImageHeaderReader.read(cutData, quirk);
                    ImageHeaderReader.requireComplete(cutData, quirk);
                }, quirk + " cut at " + cut);
            }
        }
    }

    @Test
    void truncatedPngIsDetected() {
        byte[] data = TestData.bytes(TestData.quirk("png-named-as.JPEG"));
        byte[] cut = Arrays.copyOf(data, data.length / 2);
        CorruptImageException e = assertThrows(CorruptImageException.class,
                () -> ImageHeaderReader.requireComplete(cut, "x#1"));
        assertTrue(e.getMessage().contains("truncated PNG"), e.getMessage());
    }

    @Test
    void trailingBytesAfterEoiAreAccepted() {
        byte[] data = TestData.bytes(TestData.quirk("small-64x64.jpg"));
        byte[] padded = Arrays.copyOf(data, data.length + 100);
        ImageHeaderReader.requireComplete(padded, "padded");
    }

    @Test
    void unknownAndEmptyDataAreRejectedWithAOneLineReason() {
        CorruptImageException gif = assertThrows(CorruptImageException.class,
                () -> ImageHeaderReader.read("GIF89a....".getBytes(), "a#1"));
        assertEquals("a#1: neither JPEG nor PNG (first bytes 47494638, 10 bytes)", gif.getMessage());
        CorruptImageException empty = assertThrows(CorruptImageException.class,
                () -> ImageHeaderReader.read(new byte[0], "b#2"));
        assertEquals("b#2: empty image data", empty.getMessage());
    }

    @Test
    void headerSizesOfTheSamplePhotosMatchTheirLabels() {
        List<String[]> rows = TestData.sampleLabels();
        assertEquals(200, rows.size());
        for (String[] row : rows) {
            ImageHeader h = ImageHeaderReader.read(TestData.bytes(TestData.samplePhotos().resolve(row[0])), row[0]);
            assertEquals(row[3], h.width() + "x" + h.height(), row[0]);
            assertEquals(Integer.parseInt(row[4]), h.components(), row[0]);
        }
    }
}
