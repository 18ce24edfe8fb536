package org.resnetspark.data.imagenet.convert;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.resnetspark.data.image.CorruptImageException;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.ImageFormat;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;

/**
 * An image as {@code build_imagenet_data.py} stores it: JPEG bytes that decode to RGB. Baseline and progressive
 * JPEGs with 1 or 3 components are kept byte for byte (TF keeps grey JPEGs too; readers expand them); a PNG
 * (whatever its name) and a 4-component CMYK/YCCK JPEG are decoded ({@link ImageDecoder}: Adobe-inverted CMYK
 * to RGB) and re-encoded as a 3-component JPEG at quality 100, TF's {@code encode_jpeg(..., quality=100)}.
 *
 * @param jpeg       the bytes to store
 * @param width      pixels, from the stored bytes' header
 * @param height     pixels
 * @param reencoded  whether the bytes differ from the input
 */
public record RgbJpeg(byte[] jpeg, int width, int height, boolean reencoded) {

    /** TF's {@code png_to_jpeg}/{@code cmyk_to_rgb} quality. */
    public static final int QUALITY = 100;

    /**
     * @param source names the file in error messages
     * @throws CorruptImageException when the input is not a complete JPEG or PNG or cannot be decoded
     */
    public static RgbJpeg of(byte[] encoded, String source) {
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        ImageHeaderReader.requireComplete(encoded, source);
        if (header.format() == ImageFormat.JPEG && header.components() != 4) {
            return new RgbJpeg(encoded, header.width(), header.height(), false);
        }
        DecodedImage pixels = new ImageDecoder().decode(encoded, source);
        byte[] jpeg = encode(pixels, source);
        return new RgbJpeg(jpeg, pixels.width(), pixels.height(), true);
    }

    private static byte[] encode(DecodedImage image, String source) {
        try (BytePointer data = new BytePointer(image.bgr());
             Mat mat = new Mat(image.height(), image.width(), CV_8UC3, data);
             BytePointer out = new BytePointer();
             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, QUALITY)) {
            // OpenCV takes BGR pixels and writes a standard YCbCr (JFIF) JPEG, i.e. RGB for every reader
            if (!imencode(".jpg", mat, out, params)) {
                throw new CorruptImageException(source, "OpenCV could not encode the decoded pixels as JPEG");
            }
            byte[] bytes = new byte[Math.toIntExact(out.limit() > 0 ? out.limit() : out.capacity())];
            out.position(0).get(bytes);
            return bytes;
        }
    }
}
