package org.resnetspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Size and cost of a network: trainable and total parameters, multiply-accumulates per image, and the
 * activation shape (without the batch dimension) at every named vertex.
 *
 * <p>A parameter is trainable when DL4J updates it: batch norm's running mean and variance (and the
 * parameters of frozen layers) use the {@link NoOp} updater and are counted in {@code totalParams} only.
 * MACs count convolutions and the dense layer (as TensorFlow's and torchvision's "FLOPs" figures do).
 */
public record ModelSummary(long trainableParams, long totalParams, long macsPerImage,
                           Map<String, long[]> vertexShapes) {

    /** The summary of an initialized network that takes one input of type {@code input}. */
    public static ModelSummary of(ComputationGraph graph, InputType input) {
        long trainable = 0;
        long total = 0;
        for (Layer layer : graph.getLayers()) {
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                long n = p.getValue().length();
                total += n;
                if (!(layer.conf().getLayer().getUpdaterByParam(p.getKey()) instanceof NoOp)) {
                    trainable += n;
                }
            }
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, InputType> types = conf.getLayerActivationTypes(false, input);
        return new ModelSummary(trainable, total, macs(conf, types), shapes(types));
    }

    private static long macs(ComputationGraphConfiguration conf, Map<String, InputType> types) {
        long macs = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            org.deeplearning4j.nn.conf.layers.Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof ConvolutionLayer conv) {
                InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional) types.get(e.getKey());
                long[] k = toLong(conv.getKernelSize());
                macs += out.getHeight() * out.getWidth() * conv.getNOut() * k[0] * k[1] * conv.getNIn();
            } else if (layer instanceof BaseOutputLayer dense) {
                macs += dense.getNIn() * dense.getNOut();
            }
        }
        return macs;
    }

    /**
     * Activation shape (without batch) of every vertex, input first, in topological order; needs only the
     * configuration, not an initialized network.
     */
    public static Map<String, long[]> vertexShapes(ComputationGraphConfiguration conf, InputType input) {
        return shapes(conf.getLayerActivationTypes(false, input));
    }

    private static Map<String, long[]> shapes(Map<String, InputType> types) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        types.forEach((name, type) -> shapes.put(name, shape(type)));
        return shapes;
    }

    /** Shape without the batch dimension, in the layout the network uses (CHW or HWC). */
    static long[] shape(InputType t) {
        long[] full = t.getShape(true);
        long[] s = new long[full.length - 1];
        System.arraycopy(full, 1, s, 0, s.length);
        return s;
    }

    private static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }
}
