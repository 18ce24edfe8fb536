package org.resnetspark.data.image;

/**
 * 8-bit pixels on the Java heap, interleaved in <b>B, G, R</b> order (OpenCV's order; consumers pick
 * channels themselves, which avoids a conversion pass), rows packed without padding.
 *
 * <p>When decoded at a reduced scale, pixel {@code (x, y)} covers the original pixels
 * {@code [x*d, (x+1)*d) x [y*d, (y+1)*d)} with {@code d = scaleDenominator()}; the last column/row may cover
 * fewer (libjpeg rounds the reduced size up).
 *
 * <p>A region decode ({@link ImageDecoder#decodeRegion}) holds only part of that grid: the pixels start at column
 * {@link #originX()} and row {@link #originY()} of the (possibly reduced) image; a whole image has origin 0, 0.
 */
public final class DecodedImage {
    private final int width;
    private final int height;
    private final int scaleDenominator;
    private final int originX;
    private final int originY;
    private final byte[] bgr;

    public DecodedImage(int width, int height, int scaleDenominator, byte[] bgr) {
        this(0, 0, width, height, scaleDenominator, bgr);
    }

    /** Pixels of columns {@code [originX, originX + width)} and rows {@code [originY, originY + height)}. */
    public DecodedImage(int originX, int originY, int width, int height, int scaleDenominator, byte[] bgr) {
        if (bgr.length != width * height * 3) {
            throw new IllegalArgumentException("pixel array holds " + bgr.length + " bytes, a " + width + "x"
                    + height + " BGR image needs " + width * height * 3);
        }
        if (originX < 0 || originY < 0) {
            throw new IllegalArgumentException("negative origin " + originX + "," + originY);
        }
        this.originX = originX;
        this.originY = originY;
        this.width = width;
        this.height = height;
        this.scaleDenominator = scaleDenominator;
        this.bgr = bgr;
    }

    /** First column held, in the (possibly reduced) image's grid. */
    public int originX() {
        return originX;
    }

    /** First row held, in the (possibly reduced) image's grid. */
    public int originY() {
        return originY;
    }

    /** Number of columns held. */
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

    /**
     * The pixel bytes (not a copy): index {@code ((y - originY) * width + x - originX) * 3 + c}, c = 0 B, 1 G, 2 R.
     */
    public byte[] bgr() {
        return bgr;
    }

    /**
     * Unsigned sample at column {@code x}, row {@code y} of the image's grid (not counted from the origin); for
     * tests and diagnostics, not for inner loops.
     */
    public int sample(int x, int y, int channel) {
        return bgr[((y - originY) * width + x - originX) * 3 + channel] & 0xFF;
    }
}
