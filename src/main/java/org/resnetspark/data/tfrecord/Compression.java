package org.resnetspark.data.tfrecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Whole-file compression of a TFRecord file, as TensorFlow's {@code TFRecordOptions(compression_type=...)}. */
public enum Compression {
    NONE(""),
    GZIP(".gz");

    private final String suffix;

    Compression(String suffix) {
        this.suffix = suffix;
    }

    /** The file-name suffix written files get ({@code ".gz"} for GZIP, empty otherwise). */
    public String suffix() {
        return suffix;
    }

    /**
     * Parses an option value: {@code none}/{@code uncompressed} or {@code gzip}/{@code gz}, case-insensitive.
     *
     * @throws IllegalArgumentException naming the option and the allowed values
     */
    static Compression parse(String option, String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "none":
            case "uncompressed":
            case "":
                return NONE;
            case "gzip":
            case "gz":
                return GZIP;
            default:
                throw new IllegalArgumentException("tfrecord option " + option + "=" + value
                        + " is not supported; expected one of: none, gzip");
        }
    }

    /** The compression of a file when no option forces one: GZIP exactly when the name ends in {@code .gz}. */
    static Compression fromFileName(String name) {
        return name.toLowerCase(Locale.ROOT).endsWith(".gz") ? GZIP : NONE;
    }

    /** Wraps a raw input stream; may throw {@link java.util.zip.ZipException} when the GZIP header is wrong. */
    InputStream wrap(InputStream raw) throws IOException {
        return this == GZIP ? new GZIPInputStream(raw, 64 * 1024) : raw;
    }

    OutputStream wrap(OutputStream raw) throws IOException {
        return this == GZIP ? new GZIPOutputStream(raw, 64 * 1024) : raw;
    }
}
