package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Trains two networks on the same seeded CIFAR-shaped minibatches, for tests that compare layer implementations. */
final class SameTraining {
    private SameTraining() {
    }

    /**
     * A network equal to {@code ours} (configuration and parameters) except that it names DL4J's class {@code dl4j}
     * wherever {@code ours} named the project's class {@code replaced}.
     */
    static ComputationGraph dl4jTwin(ComputationGraph ours, Class<?> replaced, Class<?> dl4j) {
        ComputationGraph twin = new ComputationGraph(withDl4jClass(ours.getConfiguration(), replaced, dl4j));
        twin.init(ours.params().dup(), true);
        return twin;
    }

    /** The same configuration, read back from JSON with {@code dl4j} named wherever it named {@code replaced}. */
    static ComputationGraphConfiguration withDl4jClass(ComputationGraphConfiguration conf, Class<?> replaced,
                                                       Class<?> dl4j) {
        String json = conf.toJson();
        String swapped = json.replace('"' + replaced.getName() + '"', '"' + dl4j.getName() + '"');
        assertNotEquals(json, swapped, "the configuration names no " + replaced.getSimpleName());
        return ComputationGraphConfiguration.fromJson(swapped);
    }

    /** {@code steps} minibatches of 8 random 3x{@code imageSize}x{@code imageSize} images, each fed to both. */
    static void fitBoth(ComputationGraph a, ComputationGraph b, long seed, int steps, int imageSize) {
        Nd4j.getRandom().setSeed(seed);
        for (int step = 0; step < steps; step++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 8, 3, imageSize, imageSize);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 10);
            for (int i = 0; i < 8; i++) {
                y.putScalar(i, (i * 3 + step) % 10, 1f);
            }
            a.fit(new DataSet(x, y));
            b.fit(new DataSet(x, y));
        }
    }

    /**
     * Trains both networks (same parameters to begin with) for 3 steps, then asserts that their parameters, the
     * training-mode outputs of {@code vertices} and the inference outputs are equal bit for bit.
     */
    static void assertBitIdentical(ComputationGraph ours, ComputationGraph dl4j, List<String> vertices, long seed) {
        INDArray before = ours.params().dup();
        fitBoth(ours, dl4j, seed, 3, 16);
        assertFalse(before.equalsWithEps(ours.params(), 0), "the steps must train");
        assertEquals(0.0, maxDifference(ours.params(), dl4j.params()), 0.0, "parameters after 3 steps");

        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 16, 16);
        Map<String, INDArray> trainOurs = ours.feedForward(x, true);
        Map<String, INDArray> trainDl4j = dl4j.feedForward(x, true);
        for (String n : vertices) {
            assertEquals(0.0, maxDifference(trainOurs.get(n), trainDl4j.get(n)), 0.0, n);
        }
        assertEquals(0.0, maxDifference(ours.outputSingle(x), dl4j.outputSingle(x)), 0.0, "inference output");
    }

    /** The largest absolute difference between two arrays of the same shape. */
    static double maxDifference(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
