package org.resnetspark.data.tfrecord;

/**
 * Why one record's payload is unusable (not an Example, or not fitting the schema). Checked and stack-less: it is
 * expected data, turned into a {@link TFRecordBadRecordException} once file and index are known.
 */
final class RecordProblem extends Exception {

    private static final long serialVersionUID = 1L;

    RecordProblem(String message) {
        super(message, null, false, false);
    }
}
