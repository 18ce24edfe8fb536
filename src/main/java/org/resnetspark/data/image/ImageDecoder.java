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
 * Decodes JPEG and PNG bytes to 8-bit, 3-channel pixels, after checking the structure itself, so that a
 * truncated file is an exception and not a partially grey image. JPEGs go to libjpeg-turbo through
 * {@link NativeJpeg}, which can decode just a region; PNGs, and JPEGs where that library is not available, go to
 * OpenCV's {@code imdecode} (whose libjpeg-turbo gives the same pixels for the whole image).
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
    private final boolean regionDecoding;
    private final boolean fastDct;

    /** libjpeg's defaults (accurate IDCT): the same pixels as OpenCV's {@code imdecode}. */
    public ImageDecoder() {
        this(DEFAULT_MAX_PIXELS);
    }

    public ImageDecoder(long maxPixels) {
        this(maxPixels, true, false);
    }

    private ImageDecoder(long maxPixels, boolean regionDecoding, boolean fastDct) {
        this.maxPixels = maxPixels;
        this.regionDecoding = regionDecoding;
        this.fastDct = fastDct;
    }

    /**
     * As TensorFlow's {@code decode_jpeg} and {@code decode_and_crop_jpeg} with their default {@code dct_method}:
     * libjpeg's fast integer IDCT ({@code JDCT_IFAST}), which TensorFlow chose for speed. Its pixels differ from the
     * accurate IDCT's by about a level. Where {@link NativeJpeg} is not available, OpenCV decodes, with the accurate
     * IDCT.
     */
    public static ImageDecoder likeTensorFlow() {
        return new ImageDecoder(DEFAULT_MAX_PIXELS, true, true);
    }

    /** A decoder that always decodes whole images with OpenCV, as before region decoding (for comparisons). */
    public static ImageDecoder wholeImagesWithOpenCv() {
        return new ImageDecoder(DEFAULT_MAX_PIXELS, false, false);
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
        int d = effectiveScale(header, scaleDenominator);
        return decodeRegion(encoded, header, d, 0, 0, ceilDiv(header.width(), d), ceilDiv(header.height(), d),
                source);
    }

    /**
     * The scale denominator a decode of this image at the requested one really uses: the request for a JPEG, 1
     * for other formats.
     */
    public static int effectiveScale(ImageHeader header, int scaleDenominator) {
        if (scaleDenominator != 1 && scaleDenominator != 2 && scaleDenominator != 4 && scaleDenominator != 8) {
            throw new IllegalArgumentException("scale denominator must be 1, 2, 4 or 8: " + scaleDenominator);
        }
        return header.format() == ImageFormat.JPEG ? scaleDenominator : 1;
    }

    /**
     * Decodes at least columns {@code [x, x + w)} and rows {@code [y, y + h)} of the image at scale
     * 1/{@link #effectiveScale}: for a JPEG with {@link NativeJpeg#available()}, only that region (libjpeg-turbo
     * skips the IDCT and colour conversion of everything outside it and stops after its last row); otherwise the
     * whole image. The pixels equal those of a whole-image decode at that scale, wherever they come from; read
     * them through {@link DecodedImage#originX()} and {@link DecodedImage#originY()}.
     *
     * @param x first column, in the grid of the image at the effective scale
     * @throws CorruptImageException as {@link #decode(byte[], int, String)}
     * @throws IllegalArgumentException if the region does not lie inside the image
     */
    public DecodedImage decodeRegion(byte[] encoded, ImageHeader header, int scaleDenominator, int x, int y, int w,
                                     int h, String source) {
        int d = effectiveScale(header, scaleDenominator);
        int width = ceilDiv(header.width(), d);
        int height = ceilDiv(header.height(), d);
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException(source + ": region " + x + "," + y + " " + w + "x" + h
                    + " outside the " + width + "x" + height + " image decoded at 1/" + d);
        }
        checkDecodable(encoded, header, d, width, height, source);
        if (header.format() != ImageFormat.JPEG || !regionDecoding || !NativeJpeg.available()) {
            return opencvDecode(encoded, header, d, width, height, source);
        }
        byte[] pixels = new byte[w * h * 3];
        String error = NativeJpeg.decodeRegion(encoded, encoded.length, d, fastDct, x, y, w, h, pixels);
        if (error != null) {
            throw new CorruptImageException(source, "could not decode the JPEG (" + encoded.length + " bytes, "
                    + header.width() + "x" + header.height() + "): " + error);
        }
        return new DecodedImage(x, y, w, h, d, pixels);
    }

    private void checkDecodable(byte[] encoded, ImageHeader header, int d, int width, int height, String source) {
        if ((long) width * height > maxPixels) {
            throw new CorruptImageException(source, "image of " + header.width() + "x" + header.height()
                    + " exceeds the limit of " + maxPixels + " decoded pixels at scale 1/" + d);
        }
        ImageHeaderReader.requireComplete(encoded, source);
    }

    /** Whole image through OpenCV, whatever {@link NativeJpeg} can do (package-private for the parity test). */
    static DecodedImage opencvDecode(byte[] encoded, ImageHeader header, int d, int width, int height,
                                     String source) {
        int flags = IMREAD_IGNORE_ORIENTATION | switch (d) {
            case 1 -> IMREAD_COLOR;
            case 2 -> IMREAD_REDUCED_COLOR_2;
            case 4 -> IMREAD_REDUCED_COLOR_4;
            case 8 -> IMREAD_REDUCED_COLOR_8;
            default -> throw new IllegalArgumentException("scale denominator must be 1, 2, 4 or 8: " + d);
        };
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
