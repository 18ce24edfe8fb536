package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ReluActivation computes exactly what DL4J's ActivationReLU computes, forward and backward, alone and in a network. */
class ReluActivationTest {

    @Test
    void valuesAndGradientsEqualDl4jsReluIncludingAtZero() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 16, 8, 8);
        // exact zeros, negative zero and values next to 0 take the same branch in both
        x.putScalar(0, 0f).putScalar(1, -0f).putScalar(2, Float.MIN_VALUE).putScalar(3, -Float.MIN_VALUE);
        INDArray eps = Nd4j.randn(DataType.FLOAT, 4, 16, 8, 8);

        INDArray expectedOut = new ActivationReLU().getActivation(x.dup(), true);
        INDArray expectedGrad = new ActivationReLU().backprop(x.dup(), eps.dup()).getFirst();
        INDArray out = new ReluActivation().getActivation(x.dup(), true);
        INDArray epsBefore = eps.dup();
        INDArray grad = new ReluActivation().backprop(x.dup(), eps).getFirst();

        assertEquals(expectedOut, out);
        assertEquals(expectedGrad, grad);
        assertEquals(epsBefore, eps, "epsilon must stay untouched (a residual add hands it to two branches)");
        // zero where x <= 0 (a negative zero where epsilon is negative: the same value in every sum)
        assertEquals(0f, grad.getFloat(0), 0f);
        assertEquals(0f, grad.getFloat(1), 0f);
        assertEquals(eps.getFloat(2), grad.getFloat(2));
        assertEquals(0f, grad.getFloat(3), 0f);
    }

    @Test
    void networksUseItAndTheirConfigurationRoundTripsThroughJson() {
        ComputationGraphConfiguration conf = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_5)).configuration();
        List<IActivation> relus = activationLayers(conf);
        assertEquals(7, relus.size(), "ResNet-8 v1.5: stem + 2 per block x 3 blocks");
        assertTrue(relus.stream().allMatch(a -> a instanceof ReluActivation), relus::toString);

        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertTrue(activationLayers(back).stream().allMatch(a -> a instanceof ReluActivation));
        assertEquals(conf, back);
    }

    @Test
    void trainingStepsGiveTheSameParametersAsWithDl4jsRelu() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
        ComputationGraph ours = ResNetBuilder.of(spec).seed(5).build();
        ComputationGraphConfiguration dl4jConf =
                SameTraining.withDl4jClass(ResNetBuilder.of(spec).seed(5).configuration(), ReluLayer.class,
                        ActivationLayer.class);
        for (var v : dl4jConf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ActivationLayer al) {
                al.setActivationFn(new ActivationReLU());
            }
        }
        ComputationGraph dl4j = new ComputationGraph(dl4jConf);
        dl4j.init(ours.params().dup(), true);
        assertTrue(activationLayers(dl4j.getConfiguration()).stream().allMatch(a -> a instanceof ActivationReLU));

        INDArray before = ours.params().dup();
        SameTraining.fitBoth(ours, dl4j, 9, 3, 16);
        assertFalse(before.equalsWithEps(ours.params(), 0), "the steps must train");
        INDArray diff = ours.params().sub(dl4j.params());
        assertEquals(0.0, diff.amaxNumber().doubleValue(), 1e-6, "largest parameter difference after 3 steps");
    }

    private static List<IActivation> activationLayers(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ActivationLayer)
                .map(v -> ((ActivationLayer) ((LayerVertex) v).getLayerConf().getLayer()).getActivationFn())
                .collect(Collectors.toList());
    }
}
