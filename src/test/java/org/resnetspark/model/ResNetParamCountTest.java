package org.resnetspark.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trainable parameter counts and MACs against published figures and an independent formula. */
class ResNetParamCountTest {

    /** torchvision's / the paper's counts at 1000 classes (no conv bias, BN gamma+beta, dense with bias). */
    @ParameterizedTest(name = "ResNet-{0} v{1}")
    @CsvSource({
            "18, 1, 11689512", "34, 1, 21797672", "50, 1, 25557032", "101, 1, 44549160", "152, 1, 60192808",
            "18, 1_original, 11689512", "50, 1_original, 25557032", "101, 1_original, 44549160",
            "152, 1_original, 60192808"})
    void imagenetCountsMatchPublished(int size, String version, long expected) {
        ModelSummary s = summary(ResNetSpec.of(DatasetFamily.IMAGENET, size, ResNetVersion.parse(version)));
        assertEquals(expected, s.trainableParams());
        assertEquals(expected, formulaCount(DatasetFamily.IMAGENET, size, ResNetVersion.parse(version), 1000));
        assertTrue(s.totalParams() > s.trainableParams(), "BN running statistics are counted in total only");
    }

    static Stream<Arguments> formulaCases() {
        return Stream.of(
                Arguments.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V2, 1000),
                Arguments.of(DatasetFamily.IMAGENET, 50, ResNetVersion.V2, 1000),
                Arguments.of(DatasetFamily.IMAGENET, 200, ResNetVersion.V2, 1000),
                Arguments.of(DatasetFamily.IMAGENET, 34, ResNetVersion.V2, 7),
                Arguments.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5, 10),
                Arguments.of(DatasetFamily.CIFAR10, 20, ResNetVersion.V1_5, 10),
                Arguments.of(DatasetFamily.CIFAR10, 56, ResNetVersion.V2, 10),
                Arguments.of(DatasetFamily.CIFAR10, 110, ResNetVersion.V1_ORIGINAL, 100));
    }

    @ParameterizedTest(name = "{0} ResNet-{1} v{2}, {3} classes")
    @MethodSource("formulaCases")
    void countsMatchArchitectureFormula(DatasetFamily family, int size, ResNetVersion version, int classes) {
        ModelSummary s = summary(ResNetSpec.of(family, size, version).withNumClasses(classes));
        assertEquals(formulaCount(family, size, version, classes), s.trainableParams());
    }

    @org.junit.jupiter.api.Test
    void resnet50MacsMatchPublishedAndOriginalV1IsCheaper() {
        long v15 = summary(ResNetSpec.of(DatasetFamily.IMAGENET, 50, ResNetVersion.V1_5)).macsPerImage();
        long v1 = summary(ResNetSpec.of(DatasetFamily.IMAGENET, 50, ResNetVersion.V1_ORIGINAL)).macsPerImage();
        assertEquals(4.09e9, v15, 0.02 * 4.09e9);
        assertTrue(v1 < v15, "original v1 strides on the 1x1 conv: " + v1 + " vs " + v15);
    }

    private static ModelSummary summary(ResNetSpec spec) {
        ResNetBuilder b = ResNetBuilder.of(spec);
        ComputationGraph g = b.build();
        try {
            return ModelSummary.of(g, b.inputType());
        } finally {
            g.close();
        }
    }

    /**
     * Trainable parameters from the architecture alone: conv weights (no bias), BN gamma+beta, dense weights
     * and bias; projection shortcuts only where the shape changes; v2 has no stem BN, a pre-activation BN on
     * every block input, no BN on the projection, and a final BN.
     */
    static long formulaCount(DatasetFamily family, int size, ResNetVersion v, int classes) {
        boolean imagenet = family == DatasetFamily.IMAGENET;
        int[] blocks;
        boolean bottleneck;
        if (imagenet) {
            blocks = switch (size) {
                case 18 -> new int[] {2, 2, 2, 2};
                case 34, 50 -> new int[] {3, 4, 6, 3};
                case 101 -> new int[] {3, 4, 23, 3};
                case 152 -> new int[] {3, 8, 36, 3};
                case 200 -> new int[] {3, 24, 36, 3};
                default -> throw new IllegalArgumentException();
            };
            bottleneck = size >= 50;
        } else {
            int n = (size - 2) / 6;
            blocks = new int[] {n, n, n};
            bottleneck = false;
        }
        boolean v2 = v == ResNetVersion.V2;
        int stem = imagenet ? 64 : 16;
        long count = (imagenet ? 7L * 7 : 3L * 3) * 3 * stem + (v2 ? 0 : 2L * stem);
        long in = stem;
        for (int stage = 0; stage < blocks.length; stage++) {
            long f = (imagenet ? 64L : 16L) << stage;
            long out = bottleneck ? 4 * f : f;
            for (int b = 0; b < blocks[stage]; b++) {
                boolean project = in != out || (b == 0 && stage > 0);
                if (bottleneck) {
                    count += in * f + 9 * f * f + f * out;
                    count += v2 ? 2 * in + 2 * f + 2 * f : 2 * f + 2 * f + 2 * out;
                } else {
                    count += 9 * in * f + 9 * f * f;
                    count += v2 ? 2 * in + 2 * f : 2 * f + 2 * f;
                }
                if (project) {
                    count += in * out + (v2 ? 0 : 2 * out);
                }
                in = out;
            }
        }
        if (v2) {
            count += 2 * in;
        }
        return count + in * classes + classes;
    }
}
