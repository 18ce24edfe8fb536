package org.resnetspark.data.tfrecord;

/** What a read does with a bad record. */
public enum BadRecordPolicy {
    /** Fail the job with a {@link TFRecordBadRecordException} (default; Spark's {@code mode=FAILFAST}). */
    FAIL,
    /**
     * Skip the record, or the rest of the file when its framing is lost; count it in
     * {@link TFRecordBadRecords} and log it at WARN (Spark's {@code mode=DROPMALFORMED}).
     */
    SKIP
}
