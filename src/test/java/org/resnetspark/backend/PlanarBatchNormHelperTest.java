package org.resnetspark.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PlanarBatchNormHelper} computes what DL4J's oneDNN helper computes: gradients against a float64
 * reference network, and two training steps (loss, every parameter incl. the moving averages) against DL4J's
 * helper; the variance stays right for a channel whose mean is large against its spread. Each with the native
 * kernels ({@link NativeBatchNorm}) and with ND4J ops.
 */
class PlanarBatchNormHelperTest {

    /** Each network with the native kernels and with ND4J ops. */
    static Stream<Arguments> networks() {
        return Stream.of(true, false).flatMap(nativeKernels -> Stream.of(
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5), nativeKernels),
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V2), nativeKernels),
                // NHWC: the helper falls back to DL4J's computations
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withFormat(CNN2DFormat.NHWC),
                        nativeKernels)));
    }

    @ParameterizedTest(name = "{0}, native kernels {1}")
    @MethodSource("networks")
    void gradientsMatchFloat64AndTrainingMatchesDl4jsHelper(ResNetSpec spec, boolean nativeKernels) {
        Backend.init();
        ResNetBuilder builder = ResNetBuilder.of(spec).seed(11);
        ComputationGraph planar = builder.build();
        ComputationGraph dl4j = builder.build();
        dl4j.setParams(planar.params().dup());
        int bnLayers = (int) List.of(planar.getLayers()).stream().filter(l -> l instanceof BatchNormalization).count();
        assertEquals(bnLayers, BatchNormHelpers.install(planar, () -> new PlanarBatchNormHelper(nativeKernels)),
                "layers on the planar helper");
        for (Layer l : dl4j.getLayers()) {
            if (l instanceof BatchNormalization) {
                assertInstanceOf(MKLDNNBatchNormHelper.class, l.getHelper(), "the comparison network keeps DL4J's");
            }
        }

        // seed 11 puts a ReLU input of block_layer1 within 7e-7 of 0 at step 2 (a decision flip, see GradientReference)
        DataSet ds = GradientReference.minibatch(spec, 12);
        ComputationGraph reference = GradientReference.float64(builder);
        reference.setParams(planar.params().castTo(DataType.DOUBLE));
        Map<String, INDArray> expected = GradientReference.gradients(reference, ds.getFeatures(), ds.getLabels());
        Map<String, INDArray> actual = GradientReference.gradients(planar, ds.getFeatures(), ds.getLabels());
        assertEquals(Map.of(), GradientReference.differing(actual, expected, 1e-4),
                "parameters whose float32 gradient differs from float64 (relative to its largest entry)");

        for (int step = 0; step < 2; step++) {
            List<String> flips = GradientReference.decisionFlips(planar.getConfiguration(),
                    planar.feedForward(ds.getFeatures(), true), dl4j.feedForward(ds.getFeatures(), true));
            assertTrue(flips.isEmpty(), "precondition at step " + step + ": a ReLU decision within float32 round-off "
                    + "differs between the helpers (choose other test data): " + flips);
            planar.fit(ds);
            dl4j.fit(ds);
            assertEquals(dl4j.score(), planar.score(), 1e-4 * Math.max(1, Math.abs(dl4j.score())), "loss at step " + step);
        }
        double maxDiff = Transforms.abs(planar.params().sub(dl4j.params())).maxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-4, "max |param planar - DL4J helper| after 2 steps = " + maxDiff);
    }

    @ParameterizedTest(name = "native kernels {0}")
    @ValueSource(booleans = {true, false})
    void varianceOfAChannelFarFromZero(boolean nativeKernels) {
        Backend.init();
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5);
        ComputationGraph net = ResNetBuilder.of(spec).seed(3).build();
        BatchNormHelpers.install(net, () -> new PlanarBatchNormHelper(nativeKernels));
        BatchNormalization bn = firstBatchNorm(net);
        Nd4j.getRandom().setSeed(5);
        long channels = bn.getParam("gamma").length();
        // mean 20, standard deviation 0.5: mean^2 / variance = 1600
        INDArray x = Nd4j.randn(DataType.FLOAT, 16, channels, 32, 32).muli(0.5).addi(20);
        bn.setInput(x, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        bn.activate(true, org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
        INDArray x64 = x.castTo(DataType.DOUBLE);
        INDArray mean = x64.mean(0, 2, 3);
        INDArray var = x64.var(false, 0, 2, 3);
        PlanarBatchNormHelper helper = (PlanarBatchNormHelper) bn.getHelper();
        double meanErr = Transforms.abs(helper.getMeanCache(DataType.FLOAT).castTo(DataType.DOUBLE).sub(mean))
                .maxNumber().doubleValue();
        double varRelErr = Transforms.abs(helper.getVarCache(DataType.FLOAT).castTo(DataType.DOUBLE).sub(var)).div(var)
                .maxNumber().doubleValue();
        assertTrue(meanErr < 1e-4, "mean error " + meanErr);
        assertTrue(varRelErr < 1e-5, "relative variance error " + varRelErr);
    }

    @Test
    void leavesLayersWithoutDl4jsOneDnnHelperAlone() {
        Backend.init();
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5);
        ComputationGraph off = GradientReference.helpersOff(() -> ResNetBuilder.of(spec).seed(3).build());
        assertEquals(0, BatchNormHelpers.install(off));
        for (Layer l : off.getLayers()) {
            assertEquals(null, l.getHelper(), "helpers off stays off");
        }
    }

    private static BatchNormalization firstBatchNorm(ComputationGraph net) {
        for (Layer l : net.getLayers()) {
            if (l instanceof BatchNormalization bn) {
                return bn;
            }
        }
        throw new AssertionError("no batch norm layer");
    }
}
