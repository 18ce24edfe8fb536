package org.resnetspark.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code resnet-spark bench ...}: micro-benchmarks without Spark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks on synthetic data, single process, no Spark.",
        subcommands = {TrainBenchCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: expected one of "
                + spec.subcommands().keySet());
    }
}
