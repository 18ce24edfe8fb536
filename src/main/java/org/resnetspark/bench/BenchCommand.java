package org.resnetspark.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code resnet-spark bench ...}: micro-benchmarks without Spark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks in a single process, no Spark: training steps on synthetic data, JPEG preprocessing.",
        subcommands = {TrainBenchCommand.class, InputBenchCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: expected one of "
                + spec.subcommands().keySet());
    }
}
