package org.resnetspark.data.image;

import java.io.IOException;
import org.resnetspark.nativelib.NativeLibraries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libjpeg-turbo through a small JNI library of ours ({@code src/main/c/jpeg_region.c}), for what OpenCV's
 * {@code imdecode} cannot do: decode only a region of a JPEG (libjpeg-turbo's {@code jpeg_crop_scanline} and
 * {@code jpeg_skip_scanlines}; rows below the region are never decoded), at a DCT-domain scale of 1/d.
 *
 * <p>The build compiles the library on Linux x86-64 when gcc and libjpeg-turbo's headers are there and puts it
 * in the jar next to a copy of the {@code libjpeg.so.62} it was linked against, so executors need nothing
 * installed. Both are extracted to a temporary directory, loaded, and deleted again. Where that is not possible
 * (another platform, a build without the library, {@code -Dresnet.spark.jpeg=opencv}) {@link #available()} is
 * false, {@link #status()} says why, and {@link ImageDecoder} decodes whole images with OpenCV instead: same
 * pixels, more work.
 */
public final class NativeJpeg {
    /** System property: {@code opencv} turns the native decoder off (for comparisons). */
    public static final String PROPERTY = "resnet.spark.jpeg";

    private static final Logger LOG = LoggerFactory.getLogger(NativeJpeg.class);
    private static final String LIBJPEG = "libjpeg.so.62";
    private static final String LIBRARY = "libresnetjpeg.so";
    private static final String STATUS = load();

    private NativeJpeg() {
    }

    /** True if region decoding through libjpeg-turbo is loaded and enabled in this JVM. */
    public static boolean available() {
        return STATUS.startsWith("libjpeg");
    }

    /** The library in use (e.g. {@code libjpeg-turbo 2.1.5}) or why there is none. */
    public static String status() {
        return STATUS;
    }

    /**
     * Decodes columns {@code [x, x + w)} and rows {@code [y, y + h)} of the image scaled by 1/d into
     * {@code out} as packed B, G, R bytes, with libjpeg's fast integer IDCT ({@code JDCT_IFAST}, TensorFlow's
     * {@code decode_jpeg} default) or its accurate one ({@code JDCT_ISLOW}, libjpeg's and OpenCV's default).
     *
     * Only call it when {@link #available()}; {@link ImageDecoder#decodeRegion} is the checked way in.
     *
     * @return null on success, else what went wrong (libjpeg's message)
     */
    public static native String decodeRegion(byte[] data, int length, int d, boolean fastDct, int x, int y, int w,
                                             int h, byte[] out);

    private static native String libraryVersion();

    private static String load() {
        if ("opencv".equalsIgnoreCase(System.getProperty(PROPERTY, ""))) {
            return "off (-D" + PROPERTY + "=opencv)";
        }
        String unavailable = NativeLibraries.unavailableReason(LIBJPEG, LIBRARY);
        if (unavailable != null) {
            return "unavailable: " + unavailable;
        }
        try {
            // libjpeg first: ours finds it as an already loaded soname
            NativeLibraries.load(LIBJPEG, LIBRARY);
            String version = libraryVersion();
            LOG.info("JPEG decoding: {} through {}{} (region decoding)", version, NativeLibraries.RESOURCE_DIR,
                    LIBRARY);
            return version;
        } catch (IOException | LinkageError e) {
            String reason = "unavailable: " + e;
            LOG.warn("JPEG region decoding {}; decoding whole images with OpenCV instead", reason);
            return reason;
        }
    }
}
