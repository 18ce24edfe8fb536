package org.resnetspark.data.image;

/** Container formats recognised by their magic bytes, never by file name. */
public enum ImageFormat {
    JPEG,
    PNG;

    /**
     * Recognises the format from the first bytes.
     *
     * @return the format, or {@code null} when the bytes are neither JPEG (FF D8 FF) nor PNG
     */
    public static ImageFormat sniff(byte[] data) {
        if (data.length >= 3 && (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xD8 && (data[2] & 0xFF) == 0xFF) {
            return JPEG;
        }
        if (data.length >= 8 && (data[0] & 0xFF) == 0x89 && data[1] == 'P' && data[2] == 'N' && data[3] == 'G'
                && data[4] == 0x0D && data[5] == 0x0A && data[6] == 0x1A && data[7] == 0x0A) {
            return PNG;
        }
        return null;
    }
}
