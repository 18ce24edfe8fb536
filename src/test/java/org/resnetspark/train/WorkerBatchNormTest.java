package org.resnetspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.resnetspark.backend.Backend;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalSpark;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The executors' training networks run their batch norm on our helper: after each forward pass of a worker, the
 * helper classes of its batch-norm layers are recorded. Under averaging every minibatch uses
 * {@code PlanarBatchNormHelper}; under gradient sharing every minibatch but the executor's first. Fails if DL4J
 * stops passing our hook or listener to its workers, or if the helper is not installed.
 */
class WorkerBatchNormTest {

    @ParameterizedTest
    @EnumSource(DistributionSettings.TrainingMasterKind.class)
    void workerMinibatchesRunOnThePlanarHelper(DistributionSettings.TrainingMasterKind kind) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backend.init().layerHelpersActive(), "no DL4J layer helpers");
        SparkSession spark = LocalSpark.start(2);
        try {
            JavaSparkContext sc = LocalSpark.context(spark);
            ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
            int steps = 4;
            SyntheticInput input = new SyntheticInput(sc, 8, 1, 8L * steps, 16, 10, CNN2DFormat.NCHW, 5);
            ComputationGraph net = ResNetBuilder.of(spec).seed(1).build();
            DistributionSettings d = new DistributionSettings(kind, 1, 1, 8, steps, 1e-3, true, 40143, 1);
            TrainingMaster<?, ?> tm = TrainingMasterFactory.create(d, "127.0.0.1");
            CollectionAccumulator<String> seen = sc.sc().collectionAccumulator("batch-norm helpers");
            tm.setListeners(List.of(new WorkerBatchNorm(), new HelperRecorder(seen)));
            new SparkComputationGraph(sc, net, tm).fit(EpochRounds.round(input.trainBatches(0, steps), 0, 1));

            List<String> perMinibatch = seen.value();
            assertEquals(steps, perMinibatch.size(), "forward passes recorded: " + perMinibatch);
            List<String> expectPlanar = kind == DistributionSettings.TrainingMasterKind.AVERAGING
                    ? perMinibatch : perMinibatch.subList(1, perMinibatch.size());
            for (String helpers : expectPlanar) {
                assertEquals("[PlanarBatchNormHelper]", helpers, "batch-norm helpers of a worker minibatch, "
                        + kind + ": " + perMinibatch);
            }
        } finally {
            spark.stop();
        }
    }

    /** Records the distinct helper classes of the batch-norm layers after each forward pass. */
    private static final class HelperRecorder extends BaseTrainingListener implements Serializable {
        private final CollectionAccumulator<String> seen;

        HelperRecorder(CollectionAccumulator<String> seen) {
            this.seen = seen;
        }

        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            TreeSet<String> names = new TreeSet<>();
            for (Layer l : ((ComputationGraph) model).getLayers()) {
                if (l instanceof BatchNormalization) {
                    names.add(l.getHelper() == null ? "none" : l.getHelper().getClass().getSimpleName());
                }
            }
            assertTrue(!names.isEmpty());
            seen.add(names.toString());
        }
    }
}
