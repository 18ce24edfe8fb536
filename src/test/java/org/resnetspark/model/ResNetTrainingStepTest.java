package org.resnetspark.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The networks compute: same outputs in both layouts, and a training step changes the parameters. */
class ResNetTrainingStepTest {

    static Stream<Arguments> smallNetworks() {
        return Stream.of(ResNetVersion.values()).flatMap(v -> Stream.of(
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, v)),
                Arguments.of(ResNetSpec.of(DatasetFamily.IMAGENET, 50, v).withImageSize(32).withNumClasses(5))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallNetworks")
    void nchwAndNhwcGiveSameOutputsForSameWeights(ResNetSpec spec) {
        ComputationGraph nchw = ResNetBuilder.of(spec.withFormat(CNN2DFormat.NCHW)).seed(1).build();
        ComputationGraph nhwc = ResNetBuilder.of(spec.withFormat(CNN2DFormat.NHWC)).seed(2).build();
        nhwc.setParams(nchw.params().dup());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, spec.imageSize(), spec.imageSize()).subi(0.5);
        INDArray a = nchw.outputSingle(false, x);
        INDArray b = nhwc.outputSingle(false, x.permute(0, 2, 3, 1).dup());
        assertArrayEquals(a.shape(), b.shape());
        assertTrue(a.equalsWithEps(b, 1e-5), () -> "NCHW " + a + " vs NHWC " + b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallNetworks")
    void trainingStepChangesParameters(ResNetSpec spec) {
        ComputationGraph net = ResNetBuilder.of(spec).seed(7).build();
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, spec.imageSize(), spec.imageSize());
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, spec.numClasses());
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % spec.numClasses(), 1f);
        }
        INDArray before = net.params().dup();
        net.fit(new DataSet(x, y));
        INDArray after = net.params();
        assertFalse(before.equalsWithEps(after, 0), "parameters unchanged after a step");
        assertTrue(Double.isFinite(net.score()), "loss " + net.score());
    }

    @Test
    void fp16NetworkBuildsWithHalfParametersAndRunsForward() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withDataType(DataType.HALF);
        ComputationGraph net = ResNetBuilder.of(spec).build();
        assertEquals(DataType.HALF, net.params().dataType());
        INDArray out = net.outputSingle(false, Nd4j.rand(DataType.HALF, 2, 3, 32, 32));
        assertEquals(DataType.HALF, out.dataType());
        assertEquals(2, out.rows());
        assertEquals(2.0, out.sumNumber().doubleValue(), 1e-2, "softmax rows sum to 1");
    }
}
