package org.resnetspark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.DistributedEvaluation;
import org.resnetspark.train.DistributionSettings;
import org.resnetspark.train.EpochMetrics;
import org.resnetspark.train.TrainingInput;
import org.resnetspark.train.TrainingMasterFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code evaluate}: top-1/top-5 of a model directory's latest checkpoint on the evaluation set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate the latest checkpoint of --model_dir (or --checkpoint) on the evaluation set of"
                + " --data_dir, distributed over the executors.")
public final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model = new ModelOptions();

    @Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--model_dir", paramLabel = "DIR", required = true, description = "The training's model_dir.")
    String modelDir;

    @Option(names = "--batch_size", paramLabel = "N", defaultValue = "64",
            description = "Evaluation minibatch size per worker. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        data.validate();
        ResNetSpec resnet = model.spec(data.family(model));
        try (SparkSessions.Job job = SparkSessions.open("resnet-spark evaluate")) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(job.spark().sparkContext());
            CheckpointStore store = new CheckpointStore(new Path(modelDir), sc.hadoopConfiguration(), Integer.MAX_VALUE);
            CheckpointStore.Checkpoint ckpt = store.loadLatest().orElseThrow(() -> new UsageException(
                    "--model_dir " + modelDir + " holds no checkpoint (no checkpoint.json)"));
            int workers = sc.defaultParallelism();
            TrainingInput input = data.open(sc, resnet, batchSize, workers, 0);
            DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING,
                    workers, 1, batchSize, 1, 1e-3, true, 0, 0);
            SparkComputationGraph net = new SparkComputationGraph(sc, ckpt.network(),
                    TrainingMasterFactory.create(dist, "127.0.0.1"));
            EpochMetrics.Eval ev = DistributedEvaluation.run(net, input.evalBatches(), input.classNames(), batchSize);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode o = new ObjectMapper().createObjectNode();
                o.put("checkpoint", ckpt.path().toString());
                o.put("epochs_done", ckpt.epochsDone());
                o.put("global_step", ckpt.globalStep());
                o.put("top1", ev.top1());
                o.put("top5", ev.top5());
                o.put("loss", ev.loss());
                o.put("examples", ev.examples());
                out.println(o);
            } else {
                out.printf("%s (epoch %d, step %d): top-1 %.4f, top-5 %.4f, loss %.4f over %d images%n",
                        ckpt.path(), ckpt.epochsDone(), ckpt.globalStep(), ev.top1(), ev.top5(), ev.loss(),
                        ev.examples());
            }
            out.flush();
            return 0;
        }
    }
}
