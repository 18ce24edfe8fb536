package org.resnetspark.train;

/** Training produced a NaN or infinite loss; the latest checkpoint is the last good one. */
public final class DivergenceException extends RuntimeException {
    public DivergenceException(String message) {
        super(message);
    }
}
