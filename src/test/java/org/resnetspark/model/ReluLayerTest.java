package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ReluLayer gives exactly what DL4J's ActivationLayer with ReluActivation gives, without copying its input. */
class ReluLayerTest {

    /** The same configuration with DL4J's own ActivationLayer (still with ReluActivation) for every ReluLayer. */
    static ComputationGraphConfiguration withDl4jActivationLayers(ComputationGraphConfiguration conf) {
        return withDl4jClass(conf, ReluLayer.class, ActivationLayer.class);
    }

    /** The same configuration, read back from JSON with {@code dl4j} named wherever it named {@code ours}. */
    static ComputationGraphConfiguration withDl4jClass(ComputationGraphConfiguration conf, Class<?> ours,
                                                       Class<?> dl4j) {
        String json = conf.toJson();
        String swapped = json.replace('"' + ours.getName() + '"', '"' + dl4j.getName() + '"');
        assertNotEquals(json, swapped, "the configuration names no " + ours.getSimpleName());
        return ComputationGraphConfiguration.fromJson(swapped);
    }

    @Test
    void trainingAndInferenceGiveBitIdenticalValuesToDl4jsActivationLayer() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
        ComputationGraph ours = ResNetBuilder.of(spec).seed(5).build();
        ComputationGraph dl4j = new ComputationGraph(withDl4jActivationLayers(ours.getConfiguration()));
        dl4j.init(ours.params().dup(), true);
        List<String> relus = reluVertices(ours.getConfiguration());
        assertEquals(7, relus.size(), "ResNet-8: stem + 2 per block x 3 blocks");
        assertTrue(relus.stream().allMatch(n -> ours.getLayer(n) instanceof ReluLayerImpl));
        assertTrue(relus.stream().noneMatch(n -> dl4j.getLayer(n) instanceof ReluLayerImpl));

        Nd4j.getRandom().setSeed(9);
        INDArray before = ours.params().dup();
        for (int step = 0; step < 3; step++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 8, 3, 16, 16);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 10);
            for (int i = 0; i < 8; i++) {
                y.putScalar(i, (i * 3 + step) % 10, 1f);
            }
            ours.fit(new DataSet(x, y));
            dl4j.fit(new DataSet(x, y));
        }
        assertFalse(before.equalsWithEps(ours.params(), 0), "the steps must train");
        assertEquals(0.0, ours.params().sub(dl4j.params()).amaxNumber().doubleValue(), 0.0,
                "largest parameter difference after 3 steps");

        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 16, 16);
        Map<String, INDArray> trainOurs = ours.feedForward(x, true);
        Map<String, INDArray> trainDl4j = dl4j.feedForward(x, true);
        for (String n : relus) {
            assertEquals(0.0, trainOurs.get(n).sub(trainDl4j.get(n)).amaxNumber().doubleValue(), 0.0, n);
            assertTrue(trainOurs.get(n).minNumber().doubleValue() >= 0, n + " must be a ReLU output");
        }
        assertEquals(0.0, ours.outputSingle(x).sub(dl4j.outputSingle(x)).amaxNumber().doubleValue(), 0.0,
                "inference output");
    }

    @Test
    void configurationRoundTripsThroughJsonAsReluLayers() {
        ComputationGraphConfiguration conf = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V2)).configuration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(reluVertices(conf), reluVertices(back));
        for (String n : reluVertices(back)) {
            ActivationLayer layer = (ActivationLayer) ((LayerVertex) back.getVertices().get(n)).getLayerConf()
                    .getLayer();
            assertTrue(layer instanceof ReluLayer && layer.getActivationFn() instanceof ReluActivation, n);
        }
        assertEquals(conf.toJson(), back.toJson());
    }

    @Test
    void aReluLayerConfiguredWithAnotherActivationIsRefused() {
        ComputationGraphConfiguration conf = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_ORIGINAL)).configuration();
        String first = reluVertices(conf).get(0);
        ((ReluLayer) ((LayerVertex) conf.getVertices().get(first)).getLayerConf().getLayer())
                .setActivationFn(new ActivationReLU());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationGraph(conf).init());
        assertTrue(e.getMessage().contains(first) && e.getMessage().contains("ReLU only"), e.getMessage());
    }

    private static List<String> reluVertices(ComputationGraphConfiguration conf) {
        return conf.getVertices().entrySet().stream()
                .filter(e -> e.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ReluLayer)
                .map(Map.Entry::getKey).sorted().toList();
    }
}
