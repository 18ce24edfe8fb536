package org.resnetspark.data;

/**
 * Input data that does not have the expected format. The message is one line naming the file (and record,
 * where there is one) and what was expected, e.g.
 * {@code "data_batch_3.bin record 17: label 200, expected 0..9"}.
 */
public final class InvalidDataException extends RuntimeException {

    public InvalidDataException(String message) {
        super(message.replace('\n', ' '));
    }

    public InvalidDataException(String message, Throwable cause) {
        super(message.replace('\n', ' '), cause);
    }

    /** {@code "<file> record <index>: <problem>"}. */
    public static InvalidDataException record(String file, long index, String problem) {
        return new InvalidDataException(file + " record " + index + ": " + problem);
    }
}
