package org.resnetspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
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
import java.util.ArrayList;
import java.util.Collections;
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
 *
 * <p>The passes are recorded in this JVM (Spark {@code local[2]} runs its tasks here), not through a Spark
 * accumulator. Gradient sharing's repartitioner gives each of the 4 minibatches a task of its own, and DL4J trains
 * them all on the network, and with the listeners, of the first task that started on the executor (seen: 4 passes
 * on the thread of one task). When that task has already ended, the passes go to its copy of an accumulator, which
 * Spark has already merged: CI once recorded 3 of 4.
 */
class WorkerBatchNormTest {
    /** Every forward pass of a worker in this JVM: the helper classes of its batch-norm layers. */
    private static final List<String> SEEN = Collections.synchronizedList(new ArrayList<>());

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
            SEEN.clear();
            tm.setListeners(List.of(new WorkerBatchNorm(), new HelperRecorder()));
            new SparkComputationGraph(sc, net, tm).fit(EpochRounds.round(input.trainBatches(0, steps), 0, 1));

            List<String> perMinibatch = List.copyOf(SEEN);
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

    /** Records the distinct helper classes of the batch-norm layers after each forward pass, in {@link #SEEN}. */
    private static final class HelperRecorder extends BaseTrainingListener implements Serializable {
        @Override
        public void onForwardPass(Model model, Map<String, INDArray> activations) {
            TreeSet<String> names = new TreeSet<>();
            for (Layer l : ((ComputationGraph) model).getLayers()) {
                if (l instanceof BatchNormalization) {
                    names.add(l.getHelper() == null ? "none" : l.getHelper().getClass().getSimpleName());
                }
            }
            assertTrue(!names.isEmpty());
            SEEN.add(names.toString());
        }
    }
}
