package org.resnetspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning through the real epoch loop (Spark local[2], parameter averaging over 2 workers, checkpoint and
 * resume): the trunk stays bit-identical, and a model_dir checkpoint wins over the pretrained path with a WARN.
 */
class WarmStartTrainingTest {

    @Test
    void fineTuneThroughTrainerThenResumeIgnoresPretrainedPathWithWarning(@TempDir File dir) throws Exception {
        WarmStartTest.writePretrainedCheckpoint();
        SparkSession spark = LocalSpark.start(2);
        try {
            JavaSparkContext sc = LocalSpark.context(spark);
            SyntheticInput input = new SyntheticInput(sc, 8, 2, 64, 16, 5, CNN2DFormat.NCHW, 3);
            DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING, 2,
                    1, 8, 2, 1e-3, true, 40123, 1);
            CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);

            TrainSettings oneEpoch = settings(1, dist);
            Trainer.Result r = new Trainer(sc, oneEpoch, input, store, Map.of())
                    .warmStart(WarmStart.of(WarmStartTest.modelDir, true, sc.hadoopConfiguration())).run();
            assertEquals(1, r.epochsDone());
            assertFrozenTrunkUnchangedHeadTrained(r.network());

            StringWriter log = new StringWriter();
            Logger logger = (Logger) LogManager.getLogger(WarmStart.class);
            WriterAppender appender = WriterAppender.newBuilder().setName("warm-start-capture").setTarget(log)
                    .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
            appender.start();
            logger.addAppender(appender);
            Trainer.Result resumed;
            try {
                // the pretrained path does not even exist: a resumed run never reads it
                resumed = new Trainer(sc, settings(2, dist), input, store, Map.of())
                        .warmStart(WarmStart.of(dir + "/gone", true, sc.hadoopConfiguration())).run();
            } finally {
                logger.removeAppender(appender);
                appender.stop();
            }
            assertEquals(2, resumed.epochsDone(), "continued from the model_dir checkpoint after epoch 1");
            assertTrue(log.toString().contains("WARN --model_dir already holds checkpoint "), log.toString());
            assertTrue(log.toString().contains("ignoring --pretrained_model_checkpoint_path " + dir + "/gone"),
                    log.toString());
            assertTrue(WarmStart.isFrozen(resumed.network()), "the checkpoint of a fine-tuning run stays frozen");
            assertFrozenTrunkUnchangedHeadTrained(resumed.network());
        } finally {
            spark.stop();
        }
    }

    private static TrainSettings settings(int epochs, DistributionSettings dist) {
        TrainSettings s = WarmStartTest.settings(WarmStartTest.RUN, 3);
        return new TrainSettings(s.spec(), 16, epochs, 1, 0, Double.NaN, s.weightDecay(), s.momentum(),
                LearningRateSchedule.cifar10(16, 64), dist, s.seed(), 2);
    }

    private static void assertFrozenTrunkUnchangedHeadTrained(ComputationGraph net) throws Exception {
        Map<String, float[]> want = WarmStartTest.paramsByLayer(WarmStartTest.pretrained);
        Map<String, float[]> got = WarmStartTest.paramsByLayer(net);
        ComputationGraph freshHead = ResNetBuilder.of(WarmStartTest.RUN).seed(3).build();
        for (Map.Entry<String, float[]> e : got.entrySet()) {
            if (e.getKey().startsWith(ResNetBuilder.FINAL_DENSE + ".")) {
                continue;
            }
            assertArrayEquals(want.get(e.getKey()), e.getValue(), e.getKey() + " bit-identical after training");
        }
        assertFalse(Arrays.equals(WarmStartTest.paramsByLayer(freshHead).get("final_dense.W"),
                got.get("final_dense.W")), "the head trained");
    }
}
