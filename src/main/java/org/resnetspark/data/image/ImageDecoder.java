package org.resnetspark.data.image;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes JPEG and PNG bytes to 8-bit, 3-channel pixels with OpenCV's {@code imdecode} (libjpeg-turbo,
 * libpng), after checking the structure itself, so that a truncated file is an exception and not a
 * partially grey image.
 *
 * <p>Colour handling, the same as TensorFlow's {@code decode_jpeg(channels=3)}: grey JPEGs and PNGs are
 * replicated to three equal channels; 4-component JPEGs (CMYK, or YCCK which libjpeg converts to CMYK) are
 * read as Adobe-inverted CMYK, as Photoshop writes them, and converted with R = C'K'/255 on the inverted
 * values; embedded ICC profiles are ignored; EXIF orientation is ignored (bounding boxes refer to the
 * stored pixel grid); PNG alpha is dropped and 16-bit PNGs are reduced to 8 bits.
 *
 * <p>Thread-safe and stateless. Native buffers are released before returning.
 */
public final class ImageDecoder {
    /** Largest decoded pixel count accepted (guards against decompression bombs: 3 bytes per pixel). */
    public static final long DEFAULT_MAX_PIXELS = 1L << 27;

    private final long maxPixels;

    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** Full-size decode; see {@link #decode(byte[], int, String)}. */
    public DecodedImage decode(byte[] encoded, String source) {
        return decode(encoded, 1, source);
    }

    /**
     * Decodes, for a JPEG at 1/{@code scaleDenominator} of the stored size using libjpeg's DCT-domain
     * scaling (much cheaper than decoding and then shrinking). Other formats ignore the request and decode
     * at full size; {@link DecodedImage#scaleDenominator()} tells which scale was used.
     *
     * @param scaleDenominator 1, 2, 4 or 8
     * @param source           names the record in error messages
     * @return pixels of size ceil(width/d) x ceil(height/d)
     * @throws CorruptImageException if the image is truncated, malformed, too large, or not decodable
     */
    public DecodedImage decode(byte[] encoded, int scaleDenominator, String source) {
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        return decode(encoded, header, scaleDenominator, source);
    }

    /** As {@link #decode(byte[], int, String)} with a header the caller already read. */
    public DecodedImage decode(byte[] encoded, ImageHeader header, int scaleDenominator, String source) {
        int d = header.format() == ImageFormat.JPEG ? scaleDenominator : 1;
        int flags = IMREAD_IGNORE_ORIENTATION | switch (d) {
            case 1 -> IMREAD_COLOR;
            case 2 -> IMREAD_REDUCED_COLOR_2;
            case 4 -> IMREAD_REDUCED_COLOR_4;
            case 8 -> IMREAD_REDUCED_COLOR_8;
            default -> throw new IllegalArgumentException("scale denominator must be 1, 2, 4 or 8: " + scaleDenominator);
        };
        int width = ceilDiv(header.width(), d);
        int height = ceilDiv(header.height(), d);
        if ((long) width * height > maxPixels) {
            throw new CorruptImageException(source, "image of " + header.width() + "x" + header.height()
                    + " exceeds the limit of " + maxPixels + " decoded pixels at scale 1/" + d);
        }
        ImageHeaderReader.requireComplete(encoded, source);

        byte[] pixels = new byte[width * height * 3];
        try (BytePointer input = new BytePointer(encoded);
             Mat buffer = new Mat(1, encoded.length, CV_8UC1, input);
             Mat image = imdecode(buffer, flags)) {
            if (image.empty()) {
                throw new CorruptImageException(source, "OpenCV could not decode the " + header.format()
                        + " data (" + encoded.length + " bytes, " + header.width() + "x" + header.height() + ")");
            }
            if (image.cols() != width || image.rows() != height || image.type() != CV_8UC3) {
                throw new CorruptImageException(source, "decoded " + image.cols() + "x" + image.rows()
                        + " type " + image.type() + ", header promised " + width + "x" + height + " 8-bit BGR");
            }
            copyPixels(image, pixels, width, height);
        }
        return new DecodedImage(width, height, d, pixels);
    }

    private static void copyPixels(Mat image, byte[] pixels, int width, int height) {
        int rowBytes = width * 3;
        BytePointer data = image.data();
        if (image.isContinuous()) {
            data.position(0).get(pixels, 0, rowBytes * height);
            return;
        }
        long step = image.step();
        for (int y = 0; y < height; y++) {
            data.position(y * step).get(pixels, y * rowBytes, rowBytes);
        }
    }

    /** Size of one side after libjpeg's 1/d scaling, which rounds up. */
    public static int ceilDiv(int size, int d) {
        return (size + d - 1) / d;
    }
}
