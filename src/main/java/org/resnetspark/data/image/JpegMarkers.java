package org.resnetspark.data.image;

/**
 * Walks the marker structure of a JPEG (ITU T.81 Annex B) without decoding entropy-coded data.
 *
 * <p>Why this exists: libjpeg, as called by OpenCV's {@code imdecode}, only warns ("Premature end of JPEG
 * file") on a truncated stream and fills the missing rows with grey, so a cut-off photo would silently
 * become a half-grey training example. Walking the markers to the EOI is cheap (one pass over the bytes,
 * no Huffman decoding) and catches truncation of baseline and progressive files alike, whichever scan the
 * cut falls in.
 */
final class JpegMarkers {
    private static final int SOI = 0xD8, EOI = 0xD9, SOS = 0xDA, APP14 = 0xEE, TEM = 0x01;

    private JpegMarkers() {
    }

    /** Reads the frame header (SOF) and the Adobe marker; stops at the first scan. */
    static ImageHeader readHeader(byte[] d, String source) {
        int pos = 2; // after SOI
        int adobe = -1;
        while (true) {
            int marker = nextMarker(d, pos, source, "before the frame header");
            pos = markerEnd(d, pos);
            if (marker == EOI || marker == SOS) {
                throw new CorruptImageException(source, "JPEG has no frame header (SOF) before "
                        + (marker == EOI ? "EOI" : "the first scan"));
            }
            if (isStandalone(marker)) {
                continue;
            }
            int len = segmentLength(d, pos, marker, source);
            if (marker == APP14 && len >= 14 && d[pos + 2] == 'A' && d[pos + 3] == 'd' && d[pos + 4] == 'o'
                    && d[pos + 5] == 'b' && d[pos + 6] == 'e') {
                adobe = d[pos + 13] & 0xFF;
            }
            if (isStartOfFrame(marker)) {
                if (len < 8) {
                    throw new CorruptImageException(source, "JPEG frame header too short (" + len + " bytes)");
                }
                int precision = d[pos + 2] & 0xFF;
                int height = u16(d, pos + 3);
                int width = u16(d, pos + 5);
                int components = d[pos + 7] & 0xFF;
                if (precision != 8) {
                    throw new CorruptImageException(source, "unsupported JPEG sample precision " + precision
                            + " bits (only 8-bit is decodable here)");
                }
                if (marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF) {
                    throw new CorruptImageException(source, String.format("unsupported lossless JPEG (SOF%d)",
                            marker - 0xC0));
                }
                if (width == 0 || height == 0) {
                    throw new CorruptImageException(source, "JPEG frame header gives size " + width + "x" + height
                            + " (DNL-defined heights are not supported)");
                }
                if (components != 1 && components != 3 && components != 4) {
                    throw new CorruptImageException(source, "unsupported JPEG component count " + components);
                }
                boolean progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
                // An Adobe marker after the SOF is legal but rare; look ahead for it up to the first scan.
                if (adobe < 0) {
                    adobe = adobeBeforeScan(d, pos + len, source);
                }
                return new ImageHeader(ImageFormat.JPEG, width, height, components, progressive, adobe);
            }
            pos += len;
        }
    }

    private static int adobeBeforeScan(byte[] d, int pos, String source) {
        while (pos + 4 <= d.length && (d[pos] & 0xFF) == 0xFF) {
            int marker = d[pos + 1] & 0xFF;
            if (marker == SOS || marker == EOI || marker == 0xFF) {
                return -1;
            }
            pos += 2;
            if (isStandalone(marker)) {
                continue;
            }
            int len = u16(d, pos);
            if (marker == APP14 && len >= 14 && pos + 14 <= d.length && d[pos + 2] == 'A' && d[pos + 3] == 'd') {
                return d[pos + 13] & 0xFF;
            }
            pos += len;
        }
        return -1;
    }

    /**
     * Checks that every segment fits in the buffer, that at least one scan exists and that its entropy-coded
     * data is followed by an EOI marker. Bytes after the EOI are allowed (some cameras append data).
     *
     * @throws CorruptImageException naming the byte offset where the structure broke
     */
    static void requireComplete(byte[] d, String source) {
        int pos = 2;
        int scans = 0;
        boolean frame = false;
        while (true) {
            int marker = nextMarker(d, pos, source, scans == 0 ? "before the first scan" : "after scan " + scans);
            pos = markerEnd(d, pos);
            if (marker == EOI) {
                if (!frame || scans == 0) {
                    throw new CorruptImageException(source, "JPEG ends (EOI at byte " + (pos - 2)
                            + ") without " + (frame ? "any scan" : "a frame header"));
                }
                return;
            }
            if (isStandalone(marker)) {
                continue;
            }
            int len = segmentLength(d, pos, marker, source);
            frame |= isStartOfFrame(marker);
            pos += len;
            if (marker == SOS) {
                scans++;
                pos = skipEntropyCodedData(d, pos, scans, source);
            }
        }
    }

    /** Returns the offset of the first marker after entropy-coded data (stuffed FF00 and RSTn belong to it). */
    private static int skipEntropyCodedData(byte[] d, int pos, int scan, String source) {
        int n = d.length;
        int i = pos;
        while (true) {
            // Fast path: most bytes are not 0xFF.
            while (i < n && d[i] != (byte) 0xFF) {
                i++;
            }
            if (i + 1 >= n) {
                throw new CorruptImageException(source, "truncated JPEG: entropy-coded data of scan " + scan
                        + " runs to the end of the data (" + n + " bytes) without an EOI marker");
            }
            int b = d[i + 1] & 0xFF;
            if (b == 0x00 || (b >= 0xD0 && b <= 0xD7)) {
                i += 2;
            } else if (b == 0xFF) {
                i++; // fill byte; the next FF may start the marker
            } else {
                return i;
            }
        }
    }

    private static int nextMarker(byte[] d, int pos, String source, String where) {
        if (pos >= d.length) {
            throw new CorruptImageException(source, "truncated JPEG: data ends at byte " + d.length + " " + where);
        }
        if ((d[pos] & 0xFF) != 0xFF) {
            throw new CorruptImageException(source, String.format(
                    "corrupt JPEG: expected a marker at byte %d %s, found 0x%02X", pos, where, d[pos] & 0xFF));
        }
        int i = pos;
        while (i < d.length && (d[i] & 0xFF) == 0xFF) {
            i++; // fill bytes before a marker are legal
        }
        if (i >= d.length) {
            throw new CorruptImageException(source, "truncated JPEG: data ends inside a marker at byte " + pos);
        }
        int marker = d[i] & 0xFF;
        if (marker == SOI || marker == 0x00) {
            throw new CorruptImageException(source, String.format("corrupt JPEG: unexpected marker 0xFF%02X at byte %d",
                    marker, i - 1));
        }
        return marker;
    }

    /** Offset just after the marker code that starts at {@code pos} (skipping fill bytes). */
    private static int markerEnd(byte[] d, int pos) {
        int i = pos;
        while ((d[i] & 0xFF) == 0xFF) {
            i++;
        }
        return i + 1;
    }

    private static int segmentLength(byte[] d, int pos, int marker, String source) {
        if (pos + 2 > d.length) {
            throw new CorruptImageException(source, String.format(
                    "truncated JPEG: segment 0xFF%02X at byte %d has no length", marker, pos - 2));
        }
        int len = u16(d, pos);
        if (len < 2 || pos + len > d.length) {
            throw new CorruptImageException(source, String.format(
                    "truncated JPEG: segment 0xFF%02X at byte %d declares %d bytes, only %d remain",
                    marker, pos - 2, len, d.length - pos));
        }
        return len;
    }

    private static boolean isStandalone(int marker) {
        return marker == TEM || (marker >= 0xD0 && marker <= 0xD7);
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static int u16(byte[] d, int pos) {
        return ((d[pos] & 0xFF) << 8) | (d[pos + 1] & 0xFF);
    }
}
