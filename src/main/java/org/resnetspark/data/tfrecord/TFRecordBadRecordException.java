package org.resnetspark.data.tfrecord;

/**
 * A record that cannot be read: bad checksum, truncated file, corrupt GZIP stream, bytes that are not a
 * {@code tf.train.Example}, or an Example that does not fit the schema. The message is one line:
 * {@code <file>: record <0-based index>: <problem>; expected <what>}.
 */
public final class TFRecordBadRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final long recordIndex;
    private final boolean restOfFileReadable;

    TFRecordBadRecordException(String file, long recordIndex, String problem, boolean restOfFileReadable) {
        super(file + ": record " + recordIndex + ": " + problem);
        this.file = file;
        this.recordIndex = recordIndex;
        this.restOfFileReadable = restOfFileReadable;
    }

    /** The file, as a fully qualified Hadoop path. */
    public String file() {
        return file;
    }

    /** The 0-based index of the bad record in its file. */
    public long recordIndex() {
        return recordIndex;
    }

    /**
     * Whether the records after this one can still be found: true when only the record's payload is bad (its
     * length header was intact), false when the framing is lost (bad length checksum, truncation, broken GZIP).
     */
    public boolean restOfFileReadable() {
        return restOfFileReadable;
    }
}
