package org.resnetspark.data.image;

/**
 * Walks the chunk list of a PNG without inflating image data: size from IHDR, completeness from IEND.
 * Chunk CRCs are not verified here (libpng does that while decoding and then fails the decode).
 */
final class PngChunks {
    private static final int SIGNATURE = 8;

    private PngChunks() {
    }

    static ImageHeader readHeader(byte[] d, String source) {
        // signature, then IHDR: length(4) "IHDR"(4) width(4) height(4) depth colourType ...
        if (d.length < SIGNATURE + 8 + 13 || !type(d, SIGNATURE + 4).equals("IHDR")) {
            throw new CorruptImageException(source, "corrupt PNG: no IHDR chunk after the signature");
        }
        long width = u32(d, SIGNATURE + 8);
        long height = u32(d, SIGNATURE + 12);
        int colourType = d[SIGNATURE + 17] & 0xFF;
        if (width == 0 || height == 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new CorruptImageException(source, "corrupt PNG: IHDR gives size " + width + "x" + height);
        }
        int components = switch (colourType) {
            case 0 -> 1;
            case 2, 3 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new CorruptImageException(source, "corrupt PNG: unknown colour type " + colourType);
        };
        return new ImageHeader(ImageFormat.PNG, (int) width, (int) height, components, false, -1);
    }

    static void requireComplete(byte[] d, String source) {
        int pos = SIGNATURE;
        boolean data = false;
        while (true) {
            if (pos + 12 > d.length) {
                throw new CorruptImageException(source, "truncated PNG: data ends at byte " + d.length
                        + " before the IEND chunk");
            }
            long len = u32(d, pos);
            String type = type(d, pos + 4);
            if (pos + 12 + len > d.length) {
                throw new CorruptImageException(source, "truncated PNG: chunk " + type + " at byte " + pos
                        + " declares " + len + " bytes, only " + (d.length - pos - 12) + " remain");
            }
            data |= type.equals("IDAT");
            if (type.equals("IEND")) {
                if (!data) {
                    throw new CorruptImageException(source, "corrupt PNG: no IDAT chunk before IEND");
                }
                return;
            }
            pos += 12 + (int) len;
        }
    }

    private static String type(byte[] d, int pos) {
        return new String(d, pos, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static long u32(byte[] d, int pos) {
        return ((long) (d[pos] & 0xFF) << 24) | ((d[pos + 1] & 0xFF) << 16) | ((d[pos + 2] & 0xFF) << 8)
                | (d[pos + 3] & 0xFF);
    }
}
