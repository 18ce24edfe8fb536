package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalSpark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The learning-rate schedule must reach the executors: a schedule that is 0 in epoch 1 and 0.1 afterwards leaves
 * the weights unchanged in epoch 1 and changes them in epoch 2. A worker that restarts DL4J's iteration count at 0
 * (what DL4J's averaging worker does on its own) would train epoch 2 at rate 0 too.
 *
 * <p>Gradient sharing runs with one worker only: with two worker threads in one executor, its quantized updates
 * moved the weights by up to 3e-3 even at rate 0, so "unchanged" cannot be asserted there.
 */
class WorkerScheduleTest {

    @ParameterizedTest
    @CsvSource({"AVERAGING, 1", "AVERAGING, 2", "SHARING, 1"})
    void workersTrainAtTheScheduledRateOfTheGlobalStep(DistributionSettings.TrainingMasterKind kind, int workers) {
        SparkSession spark = LocalSpark.start(2);
        try {
            JavaSparkContext sc = LocalSpark.context(spark);
            ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
            int steps = 5;
            SyntheticInput input = new SyntheticInput(sc, 8, workers, 8L * workers * steps, 16, 10, CNN2DFormat.NCHW,
                    5);
            LearningRateSchedule zeroThenOn = new LearningRateSchedule(0.1, steps, 0, new double[] {1},
                    new double[] {0, 1});
            ComputationGraph net = ResNetBuilder.of(spec).seed(1).updater(new Momentum(zeroThenOn, 0.9))
                    .batchNormDecay(0.9).build();
            DistributionSettings d = new DistributionSettings(kind, workers, workers, 8, steps, 1e-3, true, 40133, 1);
            WorkerStepSync stepSync = new WorkerStepSync();
            SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net,
                    TrainingMasterFactory.create(d, "127.0.0.1", stepSync));
            INDArray before = net.getParam("final_dense_W").dup();

            fitEpoch(sparkNet, stepSync, input, 0, steps, workers);
            assertEquals(before, net.getParam("final_dense_W"), "rate 0 in epoch 1 must leave the weights alone");

            fitEpoch(sparkNet, stepSync, input, 1, steps, workers);
            assertNotEquals(before, net.getParam("final_dense_W"),
                    "epoch 2 (rate 0.1) trained at rate 0: the workers did not see the global step");
        } finally {
            spark.stop();
        }
    }

    /** What the Trainer does for one epoch of one round. */
    private static void fitEpoch(SparkComputationGraph sparkNet, WorkerStepSync stepSync, SyntheticInput input,
                                 int epoch, int steps, int workers) {
        sparkNet.getNetwork().getConfiguration().setIterationCount(epoch * steps);
        sparkNet.getNetwork().getConfiguration().setEpochCount(epoch);
        JavaRDD<DataSet> batches = input.trainBatches(epoch, steps);
        stepSync.startAt(sparkNet.getNetwork().getConfiguration());
        sparkNet.fit(EpochRounds.round(batches, 0, workers));
    }
}
