package org.resnetspark.cli;

import org.resnetspark.backend.Backend;
import org.resnetspark.bench.BenchCommand;
import org.resnetspark.serve.ExportCommand;
import org.resnetspark.serve.PredictCommand;
import org.resnetspark.serve.ScoreCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of the {@code resnet-spark} command line, for {@code spark-submit} and {@code bin/resnet-spark}.
 *
 * <p>Exit codes: 0 success, 1 runtime failure, 2 bad usage (unknown flag, invalid value, incompatible flags).
 */
@Command(name = "resnet-spark",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train, evaluate, inspect, export and apply ResNet image classifiers on Apache Spark"
                + " (DeepLearning4J).",
        subcommands = {TrainCommand.class, EvaluateCommand.class, DescribeCommand.class, ExportCommand.class,
                PredictCommand.class, ScoreCommand.class, PromoteCommand.class, BenchCommand.class,
                ConvertCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: expected one of "
                + spec.subcommands().keySet());
    }

    /** The configured command line, shared by {@link #main} and tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // a flag after a job file (@conf/jobs/...) overrides the file's value instead of being an error
        cl.setOverwrittenOptionsAllowed(true);
        cl.setParameterExceptionHandler(new ShortErrorHandler());
        cl.setExecutionExceptionHandler(new ShortErrorHandler());
        return cl;
    }

    public static void main(String[] args) {
        Backend.init(); // before anything loads ND4J: picks the oneDNN build and switches DL4J's helpers on
        int code = commandLine().execute(args);
        if (code == 0 && runsInsideClusterManager()) {
            // YARN's ApplicationMaster runs main() in a thread and reports the application's final status when it
            // returns; System.exit(0) there kills the AM first and the application ends FAILED (exit code 16)
            return;
        }
        System.exit(code);
    }

    /** The driver of a spark-submit --deploy-mode cluster application (YARN's AM sets the conf as properties). */
    static boolean runsInsideClusterManager() {
        return "cluster".equals(System.getProperty("spark.submit.deployMode"))
                && System.getProperty("spark.yarn.app.id") != null;
    }
}
