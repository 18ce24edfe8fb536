package org.resnetspark.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Output shape at every named vertex for every size, version and data format (configuration only). */
class ResNetShapeTest {

    static Stream<Arguments> allNetworks() {
        List<Arguments> cases = new ArrayList<>();
        for (CNN2DFormat format : CNN2DFormat.values()) {
            for (ResNetVersion v : ResNetVersion.values()) {
                for (int size : ResNetDepth.IMAGENET_SIZES) {
                    cases.add(Arguments.of(DatasetFamily.IMAGENET, size, v, format));
                }
                for (int size : new int[] {8, 20, 32, 44, 56, 110}) {
                    cases.add(Arguments.of(DatasetFamily.CIFAR10, size, v, format));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} ResNet-{1} v{2} {3}")
    @MethodSource("allNetworks")
    void namedVertexShapes(DatasetFamily family, int size, ResNetVersion version, CNN2DFormat format) {
        ResNetSpec spec = ResNetSpec.of(family, size, version).withFormat(format).withNumClasses(17);
        ResNetBuilder builder = ResNetBuilder.of(spec);
        ComputationGraphConfiguration conf = builder.configuration();
        Map<String, long[]> shapes = ModelSummary.vertexShapes(conf, builder.inputType());
        boolean nchw = format == CNN2DFormat.NCHW;
        if (family == DatasetFamily.IMAGENET) {
            int expansion = size >= 50 ? 4 : 1;
            assertShape(shapes, "input", 3, 224, nchw);
            assertShape(shapes, "initial_conv", 64, 112, nchw);
            assertShape(shapes, "initial_max_pool", 64, 56, nchw);
            assertShape(shapes, "block_layer1", 64 * expansion, 56, nchw);
            assertShape(shapes, "block_layer2", 128 * expansion, 28, nchw);
            assertShape(shapes, "block_layer3", 256 * expansion, 14, nchw);
            assertShape(shapes, "block_layer4", 512 * expansion, 7, nchw);
            assertArrayEquals(new long[] {512L * expansion}, shapes.get("final_avg_pool"));
        } else {
            assertShape(shapes, "input", 3, 32, nchw);
            assertShape(shapes, "initial_conv", 16, 32, nchw);
            assertShape(shapes, "block_layer1", 16, 32, nchw);
            assertShape(shapes, "block_layer2", 32, 16, nchw);
            assertShape(shapes, "block_layer3", 64, 8, nchw);
            assertArrayEquals(new long[] {64}, shapes.get("final_avg_pool"));
        }
        assertArrayEquals(new long[] {17}, shapes.get("final_dense"));
        assertEquals(List.of("final_dense"), conf.getNetworkOutputs());
    }

    private static void assertShape(Map<String, long[]> shapes, String vertex, long channels, long side,
                                    boolean nchw) {
        long[] actual = shapes.get(vertex);
        assertNotNull(actual, "no vertex " + vertex);
        long[] expected = nchw ? new long[] {channels, side, side} : new long[] {side, side, channels};
        assertArrayEquals(expected, actual, vertex);
    }
}
