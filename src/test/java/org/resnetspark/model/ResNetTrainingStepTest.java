package org.resnetspark.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @ParameterizedTest(name = "{0}")
    @MethodSource("smallNetworks")
    void zeroInitResidualStartsEveryBlockAsItsShortcutAndStillLearns(ResNetSpec spec) {
        if (spec.version().preActivation()) {
            assertThrows(IllegalArgumentException.class, () -> ResNetBuilder.of(spec).zeroInitResidual(true));
            return;
        }
        String branchEnd = spec.depth().bottleneck() ? "_conv3_bn" : "_conv2_bn";
        ComputationGraph net = ResNetBuilder.of(spec).seed(7).zeroInitResidual(true).build();
        int zeroed = 0;
        for (Layer layer : net.getLayers()) {
            String name = layer.getConfig().getLayerName();
            if (!name.endsWith("_bn")) {
                continue;
            }
            INDArray gamma = layer.getParam(BatchNormalizationParamInitializer.GAMMA);
            boolean atEnd = name.startsWith("block_layer") && name.endsWith(branchEnd);
            assertEquals(atEnd ? 0.0 : gamma.length(), gamma.sumNumber().doubleValue(), 0.0, name);
            zeroed += atEnd ? 1 : 0;
        }
        assertEquals(Arrays.stream(spec.depth().blocksPerStage()).sum(), zeroed, "one per block");
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, spec.imageSize(), spec.imageSize());
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, spec.numClasses());
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % spec.numClasses(), 1f);
        }
        net.fit(new DataSet(x, y));
        Layer first = net.getLayer("block_layer1_block1" + branchEnd);
        assertNotEquals(0.0, first.getParam(BatchNormalizationParamInitializer.GAMMA).norm2Number().doubleValue(),
                "a zeroed gamma gets a gradient and moves");
    }
}
