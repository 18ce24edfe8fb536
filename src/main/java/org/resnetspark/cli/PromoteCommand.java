package org.resnetspark.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.resnetspark.deploy.Metric;
import org.resnetspark.deploy.Promotion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;

/**
 * {@code promote}: the nightly-retraining decision. Exit codes: 0 promoted, 3 not better (production unchanged),
 * 1 error, 2 bad usage — so a scheduler can branch on them.
 */
@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Promote a trained and exported model to production if its latest evaluation beats"
                + " production's. Exit 0: promoted; 3: not better (nothing changed); 1: error; 2: bad usage.")
public final class PromoteCommand implements Callable<Integer> {

    static final int EXIT_NOT_BETTER = 3;

    @Option(names = "--candidate", paramLabel = "MODEL_DIR", required = true,
            description = "The candidate run's model_dir (its metrics.json decides).")
    String candidate;

    @Option(names = "--candidate_export", paramLabel = "DIR",
            description = "The candidate's exported bundle. Default: <candidate>/export.")
    String candidateExport;

    @Option(names = "--production", paramLabel = "DIR", required = true,
            description = "Production directory: bundles/<timestamp>/ and the pointer current.json.")
    String production;

    @Option(names = "--metric", paramLabel = "top_1|top_5|loss", defaultValue = "top_1",
            description = "Metric of the latest evaluation; higher is better except for loss."
                    + " Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--min_delta", paramLabel = "D", defaultValue = "0",
            description = "Promote only when better by more than D. Default: ${DEFAULT-VALUE}.")
    double minDelta;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "5",
            description = "Production bundles kept (at least current and previous). Default: ${DEFAULT-VALUE}.")
    int keep;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Metric m;
        try {
            m = Metric.parse(metric);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--metric: " + e.getMessage());
        }
        if (minDelta < 0) {
            throw new UsageException("--min_delta must be >= 0, got " + minDelta);
        }
        Path modelDir = new Path(candidate);
        Path bundle = candidateExport != null ? new Path(candidateExport) : new Path(modelDir, "export");
        Promotion.Result r = new Promotion(new Configuration(), Clock.systemUTC())
                .promote(modelDir, bundle, new Path(production), m, minDelta, keep);
        PrintWriter out = spec.commandLine().getOut();
        if (r.outcome() == Promotion.Outcome.PROMOTED) {
            out.printf("promoted: %s %.6f (production was %s) -> %s%n", r.metric(), r.candidate(),
                    Double.isNaN(r.production()) ? "empty" : String.format("%.6f", r.production()), r.bundle());
        } else {
            out.printf("not promoted: %s %.6f does not beat production's %.6f by more than %s%n", r.metric(),
                    r.candidate(), r.production(), minDelta);
        }
        out.flush();
        return r.outcome() == Promotion.Outcome.PROMOTED ? 0 : EXIT_NOT_BETTER;
    }
}
