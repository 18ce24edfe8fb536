package org.resnetspark.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN path computes the same thing as DL4J's built-in implementation: same weights, same minibatch,
 * two training steps with helpers on and with helpers off (DL4J layer helpers not created, libnd4j's platform
 * helpers disallowed), then the losses, the outputs and every parameter (incl. batch-norm running statistics)
 * agree within float32 round-off.
 */
class HelpersParityTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5)),
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V2).withFormat(CNN2DFormat.NHWC)));
    }

    /**
     * ImageNet stem (7x7/2 conv, BN, ReLU, 3x3/2 SAME max pool): forward and loss agree, but after one step the
     * stem's parameters differ by up to ~1e-2 (lr 0.1) between the two paths: the max-pool backward of oneDNN and
     * of libnd4j's generic op route gradients differently (see docs/cpu-performance.md, known gaps). Checked
     * here at the forward level only, so the test keeps guarding the rest.
     */
    @org.junit.jupiter.api.Test
    void imagenetStemForwardMatchesHelpersOff() {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V1_5).withImageSize(32).withNumClasses(5);
        ComputationGraph on = ResNetBuilder.of(spec).seed(11).build();
        ComputationGraph off = helpersOff(() -> ResNetBuilder.of(spec).seed(11).build());
        off.setParams(on.params().dup());
        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 5);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i, 1f);
        }
        DataSet ds = new DataSet(x, y);
        INDArray outOn = on.outputSingle(false, x);
        INDArray outOff = helpersOff(() -> off.outputSingle(false, x));
        double outDiff = Transforms.abs(outOn.sub(outOff)).maxNumber().doubleValue();
        assertTrue(outDiff <= 1e-4, "max |softmax on - off| = " + outDiff);
        on.fit(ds);
        helpersOff(() -> {
            off.fit(ds);
            return null;
        });
        assertEquals(off.score(), on.score(), 1e-4 * Math.max(1, Math.abs(off.score())), "training loss");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void trainingStepsMatchHelpersOff(ResNetSpec spec) {
        Backend.init();
        ComputationGraph on = ResNetBuilder.of(spec).seed(11).build();
        ComputationGraph off = helpersOff(() -> ResNetBuilder.of(spec).seed(11).build());
        off.setParams(on.params().dup());
        assertTrue(hasHelpers(on) || !Backend.init().layerHelpersActive(), "helpers-on network has no helpers");
        for (Layer l : off.getLayers()) {
            assertNull(l.getHelper(), "helpers-off network has a helper in " + l.conf().getLayer().getLayerName());
        }

        Nd4j.getRandom().setSeed(11);
        int n = 6;
        int s = spec.imageSize();
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, s, s);
        if (spec.format() == CNN2DFormat.NHWC) {
            x = x.permute(0, 2, 3, 1).dup();
        }
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, spec.numClasses());
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (i * 7) % spec.numClasses(), 1f);
        }
        DataSet ds = new DataSet(x, y);

        for (int step = 0; step < 2; step++) {
            on.fit(ds);
            helpersOff(() -> {
                off.fit(ds);
                return null;
            });
            assertEquals(off.score(), on.score(), 1e-4 * Math.max(1, Math.abs(off.score())), "loss at step " + step);
        }
        INDArray pOn = on.params();
        INDArray pOff = off.params();
        double maxDiff = Transforms.abs(pOn.sub(pOff)).maxNumber().doubleValue();
        double scale = Transforms.abs(pOff).maxNumber().doubleValue();
        assertTrue(maxDiff <= 1e-4 * Math.max(1, scale), "max |param on - off| = " + maxDiff + " (max |param| " + scale + ")");

        INDArray outOn = on.outputSingle(false, x);
        INDArray outOff = helpersOff(() -> off.outputSingle(false, ds.getFeatures()));
        double outDiff = Transforms.abs(outOn.sub(outOff)).maxNumber().doubleValue();
        assertTrue(outDiff <= 1e-4, "max |softmax on - off| = " + outDiff);
        System.out.printf("%s: loss on %.6f off %.6f, max |dparam| %.3g, max |doutput| %.3g%n",
                spec, on.score(), off.score(), maxDiff, outDiff);
        assertNotNull(pOn);
    }

    private static boolean hasHelpers(ComputationGraph g) {
        for (Layer l : g.getLayers()) {
            if (l.getHelper() != null) {
                return true;
            }
        }
        return false;
    }

    /** Runs with DL4J's layer helpers not created and libnd4j's own (oneDNN) op helpers disallowed. */
    private static <T> T helpersOff(Supplier<T> body) {
        String before = System.getProperty(Backend.HELPERS_DISABLE);
        boolean nativeBefore = Nd4j.getEnvironment().helpersAllowed();
        System.setProperty(Backend.HELPERS_DISABLE, "true");
        Nd4j.getEnvironment().allowHelpers(false);
        try {
            return body.get();
        } finally {
            Nd4j.getEnvironment().allowHelpers(nativeBefore);
            if (before == null) {
                System.clearProperty(Backend.HELPERS_DISABLE);
            } else {
                System.setProperty(Backend.HELPERS_DISABLE, before);
            }
        }
    }
}
