package org.resnetspark.data.tfrecord;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The options of the {@code tfrecord} data source, parsed and checked once on the driver. Keys are
 * case-insensitive.
 *
 * <table>
 *   <caption>options</caption>
 *   <tr><td>{@code compression} or {@code codec}</td><td>{@code none} | {@code gzip}. Reading: forces the codec
 *   for every file (default: GZIP exactly for names ending in {@code .gz}). Writing: default none; gzip names
 *   files {@code *.tfrecord.gz}.</td></tr>
 *   <tr><td>{@code mode}</td><td>{@code FAILFAST} (default) | {@code DROPMALFORMED}</td></tr>
 *   <tr><td>{@code on_bad_record}</td><td>{@code fail} (default) | {@code skip}; same as {@code mode}</td></tr>
 *   <tr><td>{@code samplingRecords}</td><td>records read for schema inference, spread evenly over the files
 *   (at least one per file); default 1000</td></tr>
 * </table>
 */
public final class TFRecordOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final String COMPRESSION = "compression";
    public static final String CODEC = "codec";
    public static final String MODE = "mode";
    public static final String ON_BAD_RECORD = "on_bad_record";
    public static final String SAMPLING_RECORDS = "samplingRecords";
    static final int DEFAULT_SAMPLING_RECORDS = 1000;

    private final Compression compression;
    private final BadRecordPolicy badRecordPolicy;
    private final int samplingRecords;
    private final List<String> paths;

    private TFRecordOptions(Compression compression, BadRecordPolicy badRecordPolicy, int samplingRecords,
                            List<String> paths) {
        this.compression = compression;
        this.badRecordPolicy = badRecordPolicy;
        this.samplingRecords = samplingRecords;
        this.paths = paths;
    }

    /**
     * Parses the options Spark passes to a data source (including {@code path} and, for several paths, the JSON
     * array {@code paths}).
     *
     * @throws IllegalArgumentException for an unknown value or contradictory options, naming the option
     */
    public static TFRecordOptions parse(Map<String, String> options) {
        Map<String, String> o = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        o.putAll(options);
        return new TFRecordOptions(parseCompression(o), parsePolicy(o), parseSampling(o), parsePaths(o));
    }

    private static Compression parseCompression(Map<String, String> o) {
        Compression c = o.containsKey(COMPRESSION) ? Compression.parse(COMPRESSION, o.get(COMPRESSION)) : null;
        Compression codec = o.containsKey(CODEC) ? Compression.parse(CODEC, o.get(CODEC)) : null;
        if (c != null && codec != null && c != codec) {
            throw new IllegalArgumentException("tfrecord options compression=" + o.get(COMPRESSION) + " and codec="
                    + o.get(CODEC) + " contradict each other; give one");
        }
        return c != null ? c : codec;
    }

    private static BadRecordPolicy parsePolicy(Map<String, String> o) {
        BadRecordPolicy fromMode = null;
        if (o.containsKey(MODE)) {
            switch (o.get(MODE).trim().toUpperCase(Locale.ROOT)) {
                case "FAILFAST":
                    fromMode = BadRecordPolicy.FAIL;
                    break;
                case "DROPMALFORMED":
                    fromMode = BadRecordPolicy.SKIP;
                    break;
                default:
                    throw new IllegalArgumentException("tfrecord option mode=" + o.get(MODE)
                            + " is not supported; expected FAILFAST or DROPMALFORMED (PERMISSIVE has no meaning "
                            + "for binary records)");
            }
        }
        BadRecordPolicy fromOnBad = null;
        if (o.containsKey(ON_BAD_RECORD)) {
            switch (o.get(ON_BAD_RECORD).trim().toLowerCase(Locale.ROOT)) {
                case "fail":
                    fromOnBad = BadRecordPolicy.FAIL;
                    break;
                case "skip":
                    fromOnBad = BadRecordPolicy.SKIP;
                    break;
                default:
                    throw new IllegalArgumentException("tfrecord option on_bad_record=" + o.get(ON_BAD_RECORD)
                            + " is not supported; expected fail or skip");
            }
        }
        if (fromMode != null && fromOnBad != null && fromMode != fromOnBad) {
            throw new IllegalArgumentException("tfrecord options mode=" + o.get(MODE) + " and on_bad_record="
                    + o.get(ON_BAD_RECORD) + " contradict each other; give one");
        }
        return fromMode != null ? fromMode : fromOnBad != null ? fromOnBad : BadRecordPolicy.FAIL;
    }

    private static int parseSampling(Map<String, String> o) {
        if (!o.containsKey(SAMPLING_RECORDS)) {
            return DEFAULT_SAMPLING_RECORDS;
        }
        try {
            int n = Integer.parseInt(o.get(SAMPLING_RECORDS).trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("tfrecord option samplingRecords=" + o.get(SAMPLING_RECORDS)
                + " is not valid; expected a positive integer");
    }

    private static List<String> parsePaths(Map<String, String> o) {
        List<String> paths = new ArrayList<>();
        if (o.containsKey("paths")) {
            try {
                paths.addAll(new ObjectMapper().readValue(o.get("paths"), new TypeReference<List<String>>() { }));
            } catch (IOException e) {
                throw new UncheckedIOException("tfrecord: option paths is not a JSON array of strings", e);
            }
        }
        if (o.containsKey("path")) {
            paths.add(o.get("path"));
        }
        return List.copyOf(paths);
    }

    /** The forced compression, or null to decide per file name. */
    public Compression compression() {
        return compression;
    }

    /** The compression of one file: the forced one, else from its name. */
    Compression compressionOf(String fileName) {
        return compression != null ? compression : Compression.fromFileName(fileName);
    }

    public BadRecordPolicy badRecordPolicy() {
        return badRecordPolicy;
    }

    public int samplingRecords() {
        return samplingRecords;
    }

    /** The paths given to {@code load(...)}/{@code save(...)}; may hold globs and directories. */
    public List<String> paths() {
        return paths;
    }
}
