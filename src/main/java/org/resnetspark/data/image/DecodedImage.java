package org.resnetspark.data.image;

/**
 * 8-bit pixels on the Java heap, interleaved in <b>B, G, R</b> order (OpenCV's order; consumers pick
 * channels themselves, which avoids a conversion pass), rows packed without padding.
 *
 * <p>When decoded at a reduced scale, pixel {@code (x, y)} covers the original pixels
 * {@code [x*d, (x+1)*d) x [y*d, (y+1)*d)} with {@code d = scaleDenominator()}; the last column/row may cover
 * fewer (libjpeg rounds the reduced size up).
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    private final int scaleDenominator;
    private final byte[] bgr;

    public DecodedImage(int width, int height, int scaleDenominator, byte[] bgr) {
        if (bgr.length != width * height * 3) {
            throw new IllegalArgumentException("pixel array holds " + bgr.length + " bytes, a " + width + "x"
                    + height + " BGR image needs " + width * height * 3);
        }
        this.width = width;
        this.height = height;
        this.scaleDenominator = scaleDenominator;
        this.bgr = bgr;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** 1 for full size, else 2, 4 or 8 (JPEG DCT-domain scaling). */
    public int scaleDenominator() {
        return scaleDenominator;
    }

    /** The pixel bytes (not a copy): index {@code (y * width + x) * 3 + c}, c = 0 B, 1 G, 2 R. */
    public byte[] bgr() {
        return bgr;
    }

    /** Unsigned sample; for tests and diagnostics, not for inner loops. */
    public int sample(int x, int y, int channel) {
        return bgr[(y * width + x) * 3 + channel] & 0xFF;
    }
}
