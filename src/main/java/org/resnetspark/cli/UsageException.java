package org.resnetspark.cli;

/**
 * A bad combination of flags or values found after parsing (exit code 2). The message names the flag and
 * what was expected.
 */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
