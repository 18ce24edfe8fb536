package org.resnetspark.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Turns usage errors and job failures into one line on stderr (the full stack trace goes to the log),
 * with exit code 2 for usage errors and 1 for runtime failures.
 */
final class ShortErrorHandler implements CommandLine.IParameterExceptionHandler,
        CommandLine.IExecutionExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ShortErrorHandler.class);
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("error: " + ex.getMessage());
        err.println("(run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage)");
        err.flush();
        return EXIT_USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        if (ex instanceof UsageException) {
            err.println("error: " + ex.getMessage());
            err.flush();
            return EXIT_USAGE;
        }
        LOG.debug("command failed", ex);
        err.println("error: " + oneLine(ex));
        err.flush();
        return EXIT_FAILURE;
    }

    /** The innermost useful message: a wrapped cause often carries the file or record that failed. */
    static String oneLine(Throwable t) {
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : withoutStackTrace(t.getMessage());
        Throwable cause = t.getCause();
        if (cause != null && cause != t && cause.getMessage() != null && !msg.contains(cause.getMessage())) {
            msg = msg + ": " + oneLine(cause);
        }
        return msg.replace('\n', ' ');
    }

    /** Spark's "Job aborted due to stage failure" message embeds the executor's stack trace: keep what precedes it. */
    static String withoutStackTrace(String message) {
        int cut = message.length();
        for (String marker : new String[] {"\n\tat ", "\nDriver stacktrace:"}) {
            int at = message.indexOf(marker);
            if (at >= 0) {
                cut = Math.min(cut, at);
            }
        }
        return message.substring(0, cut).strip();
    }
}
