package org.resnetspark.data.imagenet;

/**
 * A rectangle of whole pixels of the stored (full-size) image: columns {@code [x, x + width)}, rows
 * {@code [y, y + height)}.
 */
public record CropWindow(int x, int y, int width, int height) {
    public CropWindow {
        if (x < 0 || y < 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("invalid crop window " + x + "," + y + " " + width + "x" + height);
        }
    }

    /** The whole image. */
    public static CropWindow full(int width, int height) {
        return new CropWindow(0, 0, width, height);
    }

    /** @return true if the window lies inside an image of the given size */
    public boolean fitsIn(int imageWidth, int imageHeight) {
        return x + width <= imageWidth && y + height <= imageHeight;
    }
}
