package org.resnetspark.data.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/**
 * An independent decoder for comparisons: {@code javax.imageio}, with the TwelveMonkeys JPEG plugin that is
 * on the test classpath (it handles CMYK/YCCK and applies embedded ICC profiles).
 */
final class ImageIoReference {
    private ImageIoReference() {
    }

    /** Decodes to a {@link DecodedImage} in the same BGR layout as {@link ImageDecoder}. */
    static DecodedImage decode(byte[] encoded) {
        try {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(encoded));
            if (img == null) {
                throw new IllegalStateException("no ImageIO reader");
            }
            int w = img.getWidth();
            int h = img.getHeight();
            byte[] bgr = new byte[w * h * 3];
            if (img.getType() == BufferedImage.TYPE_BYTE_GRAY) {
                // getRGB would convert linear grey to sRGB; the stored samples are what decoders output
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int v = img.getRaster().getSample(x, y, 0);
                        int i = (y * w + x) * 3;
                        bgr[i] = bgr[i + 1] = bgr[i + 2] = (byte) v;
                    }
                }
                return new DecodedImage(w, h, 1, bgr);
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    int i = (y * w + x) * 3;
                    bgr[i] = (byte) rgb;
                    bgr[i + 1] = (byte) (rgb >> 8);
                    bgr[i + 2] = (byte) (rgb >> 16);
                }
            }
            return new DecodedImage(w, h, 1, bgr);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per-channel means in R, G, B order. */
    static double[] meanRgb(DecodedImage img) {
        double[] sum = new double[3];
        byte[] p = img.bgr();
        for (int i = 0; i < p.length; i += 3) {
            sum[0] += p[i + 2] & 0xFF;
            sum[1] += p[i + 1] & 0xFF;
            sum[2] += p[i] & 0xFF;
        }
        int n = img.width() * img.height();
        return new double[] {sum[0] / n, sum[1] / n, sum[2] / n};
    }

    /** Mean absolute difference per sample of two same-sized images. */
    static double meanAbsDiff(DecodedImage a, DecodedImage b) {
        if (a.width() != b.width() || a.height() != b.height()) {
            throw new IllegalArgumentException("sizes differ");
        }
        long sum = 0;
        byte[] p = a.bgr();
        byte[] q = b.bgr();
        for (int i = 0; i < p.length; i++) {
            sum += Math.abs((p[i] & 0xFF) - (q[i] & 0xFF));
        }
        return (double) sum / p.length;
    }

    static int maxAbsDiff(DecodedImage a, DecodedImage b) {
        int max = 0;
        byte[] p = a.bgr();
        byte[] q = b.bgr();
        for (int i = 0; i < p.length; i++) {
            max = Math.max(max, Math.abs((p[i] & 0xFF) - (q[i] & 0xFF)));
        }
        return max;
    }
}
