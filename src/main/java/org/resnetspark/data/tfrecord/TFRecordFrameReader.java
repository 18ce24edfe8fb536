package org.resnetspark.data.tfrecord;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * Reads the TFRecord framing of one file: for each record a little-endian uint64 length, the masked CRC32C of
 * those 8 bytes, the payload, and the masked CRC32C of the payload. Every checksum is verified.
 *
 * <p>Problems are reported as {@link TFRecordBadRecordException} with the file and 0-based record index; a bad
 * payload checksum leaves the rest of the file readable, anything that loses the framing does not.
 */
final class TFRecordFrameReader implements Closeable {

    private static final int HEADER_BYTES = 12;
    private static final int FOOTER_BYTES = 4;

    private final InputStream raw;
    private final Compression compression;
    private final String file;
    private final byte[] header = new byte[HEADER_BYTES];
    private final byte[] footer = new byte[FOOTER_BYTES];
    private InputStream in;
    private long nextIndex;

    TFRecordFrameReader(InputStream raw, Compression compression, String file) {
        this.raw = raw;
        this.compression = compression;
        this.file = file;
    }

    /** The 0-based index the next record read will have (= records consumed so far, good or bad). */
    long nextIndex() {
        return nextIndex;
    }

    /**
     * The next record's payload, or null at a clean end of file (end exactly at a record boundary).
     *
     * @throws TFRecordBadRecordException for a corrupt or truncated record; the index advances past it
     * @throws IOException for failures of the underlying file system
     */
    byte[] next() throws IOException {
        if (in == null) {
            openDecompressed();
        }
        long index = nextIndex;
        int got = readFully(header, HEADER_BYTES, index);
        if (got == 0) {
            return null;
        }
        nextIndex++;
        if (got < HEADER_BYTES) {
            throw truncated(index, "file ends after " + got + " of " + HEADER_BYTES + " length-header bytes");
        }
        long length = littleEndianLong(header, 0);
        int storedLengthCrc = littleEndianInt(header, 8);
        if (MaskedCrc32c.of(header, 0, 8) != storedLengthCrc) {
            throw new TFRecordBadRecordException(file, index, lengthCrcProblem(index), false);
        }
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new TFRecordBadRecordException(file, index, "record length " + Long.toUnsignedString(length)
                    + " is larger than 2 GiB; expected a TFRecord payload a Java array can hold", false);
        }
        byte[] data = new byte[(int) length];
        got = readFully(data, data.length, index);
        if (got < data.length) {
            throw truncated(index, "file ends after " + got + " of " + length + " payload bytes");
        }
        got = readFully(footer, FOOTER_BYTES, index);
        if (got < FOOTER_BYTES) {
            throw truncated(index, "file ends after " + got + " of " + FOOTER_BYTES + " payload-checksum bytes");
        }
        int storedDataCrc = littleEndianInt(footer, 0);
        int actualDataCrc = MaskedCrc32c.of(data, 0, data.length);
        if (actualDataCrc != storedDataCrc) {
            throw new TFRecordBadRecordException(file, index, String.format(
                    "payload checksum mismatch (stored masked CRC32C 0x%08x, computed 0x%08x); "
                            + "expected an intact record (the file is corrupt)", storedDataCrc, actualDataCrc), true);
        }
        return data;
    }

    private void openDecompressed() {
        try {
            in = compression.wrap(raw);
        } catch (IOException e) {
            in = InputStream.nullInputStream();
            nextIndex = 1;
            throw new TFRecordBadRecordException(file, 0, "not a GZIP file (" + e.getMessage()
                    + "); expected GZIP data because the name ends in .gz or option compression=gzip is set",
                    false);
        }
    }

    private String lengthCrcProblem(long index) {
        boolean gzipMagic = (header[0] & 0xff) == 0x1f && (header[1] & 0xff) == 0x8b;
        if (index == 0 && compression == Compression.NONE && gzipMagic) {
            return "file starts with the GZIP magic bytes 1f 8b; expected an uncompressed TFRecord "
                    + "(name the file *.gz or set option compression=gzip)";
        }
        return "length-header checksum mismatch; expected a TFRecord length header (the file is corrupt, "
                + "or not a TFRecord file)";
    }

    private TFRecordBadRecordException truncated(long index, String what) {
        return new TFRecordBadRecordException(file, index, what + "; expected a complete record (the file is truncated)",
                false);
    }

    /** Reads up to {@code len} bytes; fewer only at end of stream. GZIP damage becomes a bad record. */
    private int readFully(byte[] buffer, int len, long index) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int n = in.read(buffer, total, len - total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (ZipException | EOFException e) {
            // only the GZIP decoder throws these: the compressed stream itself is damaged or cut short
            nextIndex = index + 1;
            throw new TFRecordBadRecordException(file, index, "GZIP stream is corrupt or truncated (" + e.getMessage()
                    + "); expected a complete GZIP file", false);
        }
        return total;
    }

    private static long littleEndianLong(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xffL);
        }
        return v;
    }

    static int littleEndianInt(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    @Override
    public void close() throws IOException {
        // closing the decompressor closes the raw stream too; close raw directly if we never got that far
        if (in != null) {
            in.close();
        } else {
            raw.close();
        }
    }
}
