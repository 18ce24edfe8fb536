package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationReLU;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ReluLayer gives exactly what DL4J's ActivationLayer with ReluActivation gives, without copying its input. */
class ReluLayerTest {

    @Test
    void trainingAndInferenceGiveBitIdenticalValuesToDl4jsActivationLayer() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
        ComputationGraph ours = ResNetBuilder.of(spec).seed(5).build();
        ComputationGraph dl4j = SameTraining.dl4jTwin(ours, ReluLayer.class, ActivationLayer.class);
        List<String> relus = reluVertices(ours.getConfiguration());
        assertEquals(7, relus.size(), "ResNet-8: stem + 2 per block x 3 blocks");
        assertTrue(relus.stream().allMatch(n -> ours.getLayer(n) instanceof ReluLayerImpl));
        assertTrue(relus.stream().noneMatch(n -> dl4j.getLayer(n) instanceof ReluLayerImpl));

        SameTraining.assertBitIdentical(ours, dl4j, relus, 9);
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
