package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.backend.BatchNormHelpers;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalSpark;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With one worker, parameter averaging must be plain sequential SGD: the same minibatches in the same order give
 * the same parameters, whether fed to the network directly or round by round through DL4J's averaging master,
 * under a learning-rate schedule that changes every step (a linear warm-up then decay).
 */
class AveragingEquivalenceTest {

    @Test
    void oneWorkerAveragingEqualsSequentialTraining() {
        SparkSession spark = LocalSpark.start(2);
        try {
            JavaSparkContext sc = LocalSpark.context(spark);
            ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
            SyntheticInput input = new SyntheticInput(sc, 8, 1, 80, 16, 10, CNN2DFormat.NCHW, 5);
            JavaRDD<DataSet> epoch = input.trainBatches(0, 5);
            ComputationGraph sequential = network(spec);
            // the same batch-norm arithmetic as the averaging worker's (WorkerBatchNorm installs it there): DL4J's
            // oneDNN helper rounds differently, and on AVX-512 that moved the momentum state by 2e-3 in 10 steps
            BatchNormHelpers.install(sequential);
            ComputationGraph averaged = network(spec);
            DistributionSettings d = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING, 1,
                    1, 8, 5, 1e-3, true, 40123, 1);
            WorkerStepSync stepSync = new WorkerStepSync();
            SparkComputationGraph spark1 = new SparkComputationGraph(sc, averaged,
                    TrainingMasterFactory.create(d, "127.0.0.1", stepSync));
            for (int r = 0; r < EpochRounds.rounds(epoch, 1); r++) {
                JavaRDD<DataSet> round = EpochRounds.round(epoch, r, 1);
                for (DataSet batch : round.collect()) {
                    sequential.fit(batch);
                }
                stepSync.startAt(averaged.getConfiguration());
                spark1.fit(round);
            }
            INDArray a = sequential.params();
            INDArray b = averaged.params();
            double diff = a.sub(b).norm2Number().doubleValue() / a.norm2Number().doubleValue();
            System.out.printf("relative parameter difference after 10 steps: %.3g%n", diff);
            assertTrue(diff < 1e-5, "sequential vs one-worker averaging differ by " + diff);
            INDArray ua = sequential.getUpdater().getStateViewArray();
            INDArray ub = averaged.getUpdater().getStateViewArray();
            double udiff = ua.sub(ub).norm2Number().doubleValue() / ua.norm2Number().doubleValue();
            System.out.printf("relative momentum difference: %.3g%n", udiff);
            assertTrue(udiff < 1e-5, "momentum state differs by " + udiff);
        } finally {
            spark.stop();
        }
    }

    private static ComputationGraph network(ResNetSpec spec) {
        return ResNetBuilder.of(spec).seed(1).updater(new Momentum(LearningRateSchedule.linear(0.1, 5, 1, 2), 0.9))
                .weightDecay(2e-4).batchNormDecay(0.9).build();
    }
}
