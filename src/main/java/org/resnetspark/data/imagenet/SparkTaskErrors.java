package org.resnetspark.data.imagenet;

import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.tfrecord.TFRecordBadRecordException;

/**
 * Finds the data error behind a failed Spark job, so the driver can report the task's one-line message
 * ({@code train-00003-of-01024#17: ...}) instead of Spark's stage-failure text.
 */
public final class SparkTaskErrors {

    private static final String[] DATA_ERRORS = {InvalidDataException.class.getName(),
            TFRecordBadRecordException.class.getName()};

    private SparkTaskErrors() {
    }

    /**
     * What a driver rethrows for a failed job: the data error as an {@link InvalidDataException} when there is
     * one, else {@code e} itself (a RuntimeException or IOException) or {@code e} wrapped. Needed because Spark's
     * Scala code throws the checked {@code SparkException} without declaring it.
     */
    public static RuntimeException rethrow(Exception e) throws java.io.IOException {
        InvalidDataException data = dataError(e);
        if (data != null) {
            return data;
        }
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof java.io.IOException io) {
            throw io;
        }
        return new RuntimeException(e.getMessage(), e);
    }

    /** An {@link InvalidDataException} carrying the data error's message, or null when {@code e} has none. */
    public static InvalidDataException dataError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidDataException || t instanceof TFRecordBadRecordException) {
                return new InvalidDataException(t.getMessage(), e);
            }
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        for (String name : DATA_ERRORS) {
            int at = msg.indexOf(name + ": ");
            if (at >= 0) { // the cause did not survive serialization; its message did
                String rest = msg.substring(at + name.length() + 2);
                return new InvalidDataException(rest.lines().findFirst().orElse(rest), e);
            }
        }
        return null;
    }
}
