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

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The oneDNN path computes the same thing as DL4J's built-in implementation: same weights, same minibatch,
 * one or two training steps with helpers on and with helpers off (DL4J layer helpers not created, libnd4j's platform
 * helpers disallowed), then the losses, the outputs and every parameter (incl. batch-norm running statistics)
 * agree within float32 round-off.
 *
 * <p>That comparison is only meaningful when both paths take the same ReLU / max-pool decisions: a unit whose
 * input lies within round-off of a kink changes gradients by ~1e-2 without either side being wrong. Each step
 * first checks that (a precondition on the test data, {@link GradientReference#decisionFlips});
 * {@link ImageNetStemGradientTest} checks both paths against a float64 reference.
 */
class HelpersParityTest {

    /**
     * Network, training steps compared, seed of the minibatch. CIFAR ResNet-8: two steps. ImageNet stem (7x7/2 conv
     * with explicit padding 3 and Truncate, BN, ReLU, 3x3/2 SAME max pool; ResNet-18 at 32 px): one step, on a
     * minibatch without decision flips. HelpersParityTest's usual minibatch (seed 11) puts one ReLU input of
     * block_layer1_block1_conv1_relu at 2.5e-7 and the paths disagree on its sign (ImageNetStemGradientTest); and
     * after one step at lr 0.1 the two networks differ by ~1e-6 and a ResNet-18 at 32 px then typically has a few
     * ReLU inputs within that distance of 0 (seeds 1-5: 1 to ~400 flips at step 2), so a second step is not
     * comparable at parameter level.
     */
    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5), 2, 11L),
                Arguments.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V2).withFormat(CNN2DFormat.NHWC), 2, 11L),
                Arguments.of(ResNetSpec.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V1_5).withImageSize(32)
                        .withNumClasses(5), 1, 3L));
    }

    /**
     * Which minibatch puts a unit within round-off of a kink depends on the CPU's kernels (seed 11 of the NHWC case
     * did on an AVX-512 machine, not on an AVX2 one), so the minibatch is the first of a few seeds without such a
     * unit at any step, found deterministically on each machine.
     */
    @ParameterizedTest(name = "{0}, {1} step(s)")
    @MethodSource("networks")
    void trainingStepsMatchHelpersOff(ResNetSpec spec, int steps, long dataSeed) {
        StringBuilder skipped = new StringBuilder();
        for (long seed = dataSeed; seed < dataSeed + 5; seed++) {
            String flips = compare(spec, steps, seed);
            if (flips == null) {
                return;
            }
            skipped.append("\n  data seed ").append(seed).append(": ").append(flips);
        }
        throw new AssertionError("precondition: every minibatch tried puts a ReLU / max-pool decision within float32"
                + " round-off on different sides in the two paths:" + skipped);
    }

    /** @return null after asserting that the paths agree, or the decision flips that made the data unusable */
    private String compare(ResNetSpec spec, int steps, long dataSeed) {
        Backend.init();
        ComputationGraph on = ResNetBuilder.of(spec).seed(11).build();
        ComputationGraph off = helpersOff(() -> ResNetBuilder.of(spec).seed(11).build());
        off.setParams(on.params().dup());
        assertTrue(hasHelpers(on) || !Backend.init().layerHelpersActive(), "helpers-on network has no helpers");
        for (Layer l : off.getLayers()) {
            assertNull(l.getHelper(), "helpers-off network has a helper in " + l.conf().getLayer().getLayerName());
        }

        DataSet ds = GradientReference.minibatch(spec, dataSeed);
        INDArray x = ds.getFeatures();

        for (int step = 0; step < steps; step++) {
            INDArray xs = x;
            Map<String, INDArray> aOn = on.feedForward(xs, true);
            Map<String, INDArray> aOff = helpersOff(() -> off.feedForward(xs, true));
            List<String> flips = GradientReference.decisionFlips(on.getConfiguration(), aOn, aOff);
            if (!flips.isEmpty()) {
                return "step " + step + ": " + flips;
            }
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
        System.out.printf("%s, data seed %d: loss on %.6f off %.6f, max |dparam| %.3g, max |doutput| %.3g%n",
                spec, dataSeed, on.score(), off.score(), maxDiff, outDiff);
        assertNotNull(pOn);
        return null;
    }

    private static boolean hasHelpers(ComputationGraph g) {
        for (Layer l : g.getLayers()) {
            if (l.getHelper() != null) {
                return true;
            }
        }
        return false;
    }

    private static <T> T helpersOff(Supplier<T> body) {
        return GradientReference.helpersOff(body);
    }
}
