package org.resnetspark.train;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.wrapper.BaseWrapperLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetDepth;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the architecture back from a network built by {@link ResNetBuilder} (a checkpoint does not store its
 * {@link ResNetSpec}), and finds where two such networks differ.
 *
 * <p>Works on frozen networks too (a fine-tuning run's checkpoints wrap the trunk's layers in
 * {@link FrozenLayer}): wrappers are looked through everywhere.
 */
public final class ArchitectureProbe {

    private ArchitectureProbe() {
    }

    /**
     * The spec of {@code net}; the image size is not stored in a network (global average pooling makes the
     * weights independent of it), so the caller supplies it.
     *
     * @throws IllegalArgumentException when {@code net} is not a network of {@link ResNetBuilder}
     */
    public static ResNetSpec probe(ComputationGraph net, int imageSize) {
        Map<String, GraphVertex> v = net.getConfiguration().getVertices();
        if (!v.containsKey(ResNetBuilder.FINAL_DENSE) || !v.containsKey(ResNetBuilder.INITIAL_CONV)
                || !v.containsKey("block_layer1_block1_conv1")) {
            throw new IllegalArgumentException("not a resnet-spark ResNet (no " + ResNetBuilder.INITIAL_CONV + ", "
                    + "block_layer1_block1_conv1 or " + ResNetBuilder.FINAL_DENSE + " vertex)");
        }
        DatasetFamily family = v.containsKey(ResNetBuilder.INITIAL_POOL) ? DatasetFamily.IMAGENET
                : DatasetFamily.CIFAR10;
        int stages = 0;
        while (v.containsKey("block_layer" + (stages + 1) + "_block1_conv1")) {
            stages++;
        }
        int[] blocks = new int[stages];
        for (int s = 0; s < stages; s++) {
            while (v.containsKey("block_layer" + (s + 1) + "_block" + (blocks[s] + 1) + "_conv1")) {
                blocks[s]++;
            }
        }
        boolean bottleneck = v.containsKey("block_layer1_block1_conv3");
        ResNetVersion version;
        if (v.containsKey("block_layer1_block1_pre_bn")) {
            version = ResNetVersion.V2;
        } else if (bottleneck && stages > 1 && conv("block_layer2_block1_conv1", v).getStride()[0] > 1) {
            version = ResNetVersion.V1_ORIGINAL;
        } else {
            version = ResNetVersion.V1_5;
        }
        int size = size(family, blocks, bottleneck);
        CNN2DFormat format = conv(ResNetBuilder.INITIAL_CONV, v).getCnn2dDataFormat();
        long classes = net.getLayer(ResNetBuilder.FINAL_DENSE).getParam("W").size(1);
        DataType type = net.params().dataType();
        return new ResNetSpec(family, size, version, (int) classes, imageSize, format, type);
    }

    /** E.g. "ResNet-50 v1 (imagenet, channels_first)": what must match for a warm start. */
    public static String describe(ResNetSpec spec) {
        return "ResNet-" + spec.size() + " v" + spec.version().flagValue() + " (" + spec.family() + ", "
                + (spec.format() == CNN2DFormat.NCHW ? "channels_first" : "channels_last") + ")";
    }

    /**
     * The first vertex (in {@code expected}'s order) whose kind, parameter shapes, kernel, stride or data format
     * differ between the two networks, ignoring {@code except}; empty when they agree everywhere else.
     */
    public static Optional<String> firstDifference(ComputationGraph expected, ComputationGraph actual,
                                                   String except) {
        Map<String, GraphVertex> a = actual.getConfiguration().getVertices();
        Map<String, GraphVertex> e = expected.getConfiguration().getVertices();
        for (Map.Entry<String, GraphVertex> entry : e.entrySet()) {
            String name = entry.getKey();
            if (name.equals(except)) {
                continue;
            }
            GraphVertex other = a.get(name);
            if (other == null) {
                return Optional.of(name + " is missing");
            }
            if (!(entry.getValue() instanceof LayerVertex lv)) {
                if (!entry.getValue().getClass().equals(unwrapVertex(other).getClass())) {
                    return Optional.of(name + " is a different kind of vertex");
                }
                continue;
            }
            if (!(other instanceof LayerVertex ov)) {
                return Optional.of(name + " is not a layer");
            }
            Layer l1 = unwrap(lv.getLayerConf().getLayer());
            Layer l2 = unwrap(ov.getLayerConf().getLayer());
            if (!l1.getClass().equals(l2.getClass())) {
                return Optional.of(name + " is a " + l2.getClass().getSimpleName() + ", expected "
                        + l1.getClass().getSimpleName());
            }
            if (l1 instanceof ConvolutionLayer c1 && l2 instanceof ConvolutionLayer c2
                    && (!Arrays.equals(c1.getStride(), c2.getStride())
                    || !Arrays.equals(c1.getKernelSize(), c2.getKernelSize())
                    || c1.getCnn2dDataFormat() != c2.getCnn2dDataFormat())) {
                return Optional.of(name + " has another kernel, stride or data format");
            }
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> p1 = expected.getLayer(name).paramTable();
            Map<String, org.nd4j.linalg.api.ndarray.INDArray> p2 = actual.getLayer(name).paramTable();
            if (!p1.keySet().equals(p2.keySet())) {
                return Optional.of(name + " has parameters " + p2.keySet() + ", expected " + p1.keySet());
            }
            for (String k : p1.keySet()) {
                if (!Arrays.equals(p1.get(k).shape(), p2.get(k).shape())) {
                    return Optional.of(name + "." + k + " has shape " + Arrays.toString(p2.get(k).shape())
                            + ", expected " + Arrays.toString(p1.get(k).shape()));
                }
            }
        }
        for (String name : a.keySet()) {
            if (!e.containsKey(name) && !name.equals(except)) {
                return Optional.of(name + " is extra");
            }
        }
        return Optional.empty();
    }

    /** The layer configuration inside any freezing wrapper. */
    public static Layer unwrap(Layer l) {
        while (true) {
            if (l instanceof FrozenLayer f) {
                l = f.getLayer();
            } else if (l instanceof BaseWrapperLayer w) {
                l = w.getUnderlying();
            } else {
                return l;
            }
        }
    }

    private static GraphVertex unwrapVertex(GraphVertex v) {
        return v instanceof org.deeplearning4j.nn.conf.graph.FrozenVertex f ? f.getUnderlying() : v;
    }

    private static ConvolutionLayer conv(String name, Map<String, GraphVertex> v) {
        if (v.get(name) instanceof LayerVertex lv && unwrap(lv.getLayerConf().getLayer()) instanceof ConvolutionLayer c) {
            return c;
        }
        throw new IllegalArgumentException("not a resnet-spark ResNet: " + name + " is not a convolution");
    }

    private static int size(DatasetFamily family, int[] blocks, boolean bottleneck) {
        if (family == DatasetFamily.CIFAR10) {
            return 6 * (blocks.length > 0 ? blocks[0] : 0) + 2;
        }
        for (int size : ResNetDepth.IMAGENET_SIZES) {
            ResNetDepth d = ResNetDepth.of(family, size);
            if (d.bottleneck() == bottleneck && Arrays.equals(d.blocksPerStage(), blocks)) {
                return size;
            }
        }
        throw new IllegalArgumentException("not a resnet-spark ResNet: blocks per stage " + Arrays.toString(blocks)
                + " match no ImageNet size");
    }
}
