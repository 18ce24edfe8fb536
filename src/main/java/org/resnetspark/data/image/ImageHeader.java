package org.resnetspark.data.image;

/**
 * What the headers of an encoded image say, read without decoding pixels.
 *
 * @param format         container format, from the magic bytes
 * @param width          width in pixels as stored (EXIF orientation is ignored, as TensorFlow does)
 * @param height         height in pixels as stored
 * @param components     colour components as stored: 1 (grey), 3 (YCbCr/RGB), 4 (CMYK/YCCK); for PNG
 *                       the channel count implied by the colour type (palette counts as 3)
 * @param progressive    JPEG with a progressive (SOF2/6/10/14) frame
 * @param adobeTransform JPEG Adobe APP14 colour transform (0 = none/CMYK, 1 = YCbCr, 2 = YCCK), -1 when
 *                       there is no Adobe marker or the image is not a JPEG
 */
public record ImageHeader(ImageFormat format, int width, int height, int components, boolean progressive,
                          int adobeTransform) {
}
