package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ResidualAdd gives exactly what DL4J's ElementWiseVertex(Add) gives, on its parallel path and on DL4J's. */
class ResidualAddTest {

    @Test
    void resNetTrainingAndInferenceGiveBitIdenticalValuesToDl4jsElementWiseVertex() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V2).withImageSize(16);
        ComputationGraph ours = ResNetBuilder.of(spec).seed(7).build();
        ComputationGraph dl4j = SameTraining.dl4jTwin(ours, ResidualAdd.class, ElementWiseVertex.class);
        List<String> adds = addVertices(ours.getConfiguration());
        assertEquals(3, adds.size(), "ResNet-8: one residual add per block");
        assertTrue(adds.stream().allMatch(n -> ours.getVertex(n) instanceof ResidualAddImpl));
        assertTrue(adds.stream().noneMatch(n -> dl4j.getVertex(n) instanceof ResidualAddImpl));

        SameTraining.assertBitIdentical(ours, dl4j, adds, 11);
    }

    @Test
    void threeInputsTakeDl4jsPathWithTheSameResults() {
        ComputationGraph ours = threeWayAdd(new ResidualAdd());
        ComputationGraph dl4j = threeWayAdd(new ElementWiseVertex(ElementWiseVertex.Op.Add));
        dl4j.setParams(ours.params().dup());
        Nd4j.getRandom().setSeed(13);
        for (int step = 0; step < 3; step++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 5, 6);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 5, 3);
            for (int i = 0; i < 5; i++) {
                y.putScalar(i, (i + step) % 3, 1f);
            }
            ours.fit(new DataSet(x, y));
            dl4j.fit(new DataSet(x, y));
        }
        assertTrue(ours.getVertex("add") instanceof ResidualAddImpl);
        assertEquals(0.0, SameTraining.maxDifference(ours.params(), dl4j.params()), 0.0);
    }

    @Test
    void configurationRoundTripsThroughJsonAndAnotherOpIsRefused() {
        ComputationGraphConfiguration conf = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_5)).configuration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(addVertices(conf), addVertices(back));
        assertEquals(conf.toJson(), back.toJson());

        String first = addVertices(back).get(0);
        ((ResidualAdd) back.getVertices().get(first)).setOp(ElementWiseVertex.Op.Product);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationGraph(back).init());
        assertTrue(e.getMessage().contains(first) && e.getMessage().contains("adds only"), e.getMessage());
    }

    private static ComputationGraph threeWayAdd(ElementWiseVertex add) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Sgd(0.1))
                .dataType(DataType.FLOAT).graphBuilder().addInputs("in")
                .addLayer("d1", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("d2", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "in")
                .addLayer("d3", new DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.TANH).build(), "in")
                .addVertex("add", add, "d1", "d2", "d3")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "add")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static List<String> addVertices(ComputationGraphConfiguration conf) {
        return conf.getVertices().entrySet().stream().filter(e -> e.getValue() instanceof ResidualAdd)
                .map(Map.Entry::getKey).sorted().toList();
    }
}
