package org.resnetspark.data.image;

/**
 * Reads image size and colour layout from headers (JPEG SOF, PNG IHDR) and checks that an encoded image
 * is structurally complete, both without decoding pixels.
 */
public final class ImageHeaderReader {
    private ImageHeaderReader() {
    }

    /**
     * Reads the header of a JPEG or PNG, whatever the file was called.
     *
     * @param source names the record for error messages (for example {@code shard#record})
     * @throws CorruptImageException if the format is not recognised or the header is missing or malformed
     */
    public static ImageHeader read(byte[] encoded, String source) {
        ImageFormat format = sniff(encoded, source);
        return format == ImageFormat.JPEG ? JpegMarkers.readHeader(encoded, source)
                : PngChunks.readHeader(encoded, source);
    }

    /**
     * Checks that the image is complete: for JPEG every segment fits and the entropy-coded data of the last
     * scan is followed by EOI; for PNG every chunk fits and IEND is present. Does not detect bit errors
     * inside entropy-coded data.
     *
     * @throws CorruptImageException naming the source and where the data ends or breaks
     */
    public static void requireComplete(byte[] encoded, String source) {
        ImageFormat format = sniff(encoded, source);
        if (format == ImageFormat.JPEG) {
            JpegMarkers.requireComplete(encoded, source);
        } else {
            PngChunks.requireComplete(encoded, source);
        }
    }

    private static ImageFormat sniff(byte[] encoded, String source) {
        if (encoded == null || encoded.length == 0) {
            throw new CorruptImageException(source, "empty image data");
        }
        ImageFormat format = ImageFormat.sniff(encoded);
        if (format == null) {
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < Math.min(4, encoded.length); i++) {
                hex.append(String.format("%02X", encoded[i] & 0xFF));
            }
            throw new CorruptImageException(source, "neither JPEG nor PNG (first bytes " + hex + ", "
                    + encoded.length + " bytes)");
        }
        return format;
    }
}
