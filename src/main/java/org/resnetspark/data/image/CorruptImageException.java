package org.resnetspark.data.image;

/**
 * An encoded image that cannot be turned into correct pixels: truncated, structurally broken, of an
 * unsupported format, or rejected by the decoder.
 *
 * <p>Unchecked so that it can cross iterator and lambda boundaries of a per-partition pipeline; callers
 * that want to skip bad records catch it per record. The message is one line and starts with the
 * source (for example {@code train-00012-of-01024#345}) followed by what was wrong.
 */
public class CorruptImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;

    public CorruptImageException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** The record or file the image came from, as given by the caller. */
    public String source() {
        return source;
    }
}
