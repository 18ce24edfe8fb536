package org.resnetspark.backend;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ReluActivation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import org.nd4j.linalg.dataset.DataSet;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.resnetspark.model.ResNetSpec;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Test tools for comparing the oneDNN-helper path, DL4J's built-in path and a float64 reference.
 *
 * <p>Why "decision flips": a ResNet's gradient is a discontinuous function of its activations (ReLU's derivative
 * jumps at 0, max pooling routes the gradient to the window's maximum). Two correct float32 implementations
 * differ by round-off (~1e-6) in the forward pass; a unit whose ReLU input lies within that distance of 0 (or a
 * pooling window whose two largest values are that close) can then take the other branch in one of them, and
 * that single unit changes every upstream gradient by O(1 / number of summed positions), e.g. 1e-2. That is not
 * a wrong gradient, and no tolerance on gradients or parameters can separate it from one. So the comparisons
 * here first list the decisions on which two forward passes disagree, and compare gradients strictly only when
 * there is none.
 */
final class GradientReference {

    private GradientReference() {
    }

    /** Runs with DL4J's layer helpers not created and libnd4j's own (oneDNN) op helpers disallowed. */
    static <T> T helpersOff(Supplier<T> body) {
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

    /**
     * The builder's network in float64 (the spec only allows fp32/fp16, so the data type is set on the
     * configuration), built with helpers off; the oneDNN helpers are float32-only anyway.
     */
    static ComputationGraph float64(ResNetBuilder builder) {
        return helpersOff(() -> {
            ComputationGraphConfiguration c = builder.configuration();
            c.setDataType(DataType.DOUBLE);
            ComputationGraph g = new ComputationGraph(c);
            g.init();
            return g;
        });
    }

    /** Gradient of the mean loss over the minibatch times the batch size (DL4J divides in the updater), as float64. */
    static Map<String, INDArray> gradients(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x.castTo(g.params().dataType()));
        g.setLabels(y.castTo(g.params().dataType()));
        g.computeGradientAndScore();
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : g.gradient().gradientForVariable().entrySet()) {
            m.put(e.getKey(), e.getValue().castTo(DataType.DOUBLE).dup());
        }
        return m;
    }

    /** True for trainable parameters (not batch norm's running mean / variance, which DL4J stores as "gradients"). */
    static boolean trainable(String param) {
        return !(param.endsWith("_mean") || param.endsWith("_var") || param.endsWith("_log10stdev"));
    }

    /** max |a - b| / max |b| over one parameter. */
    static double relDiff(INDArray a, INDArray b) {
        double scale = Transforms.abs(b).maxNumber().doubleValue();
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue() / Math.max(scale, 1e-30);
    }

    /** Parameters whose gradients differ by more than {@code tol} (relative), with the difference. */
    static Map<String, Double> differing(Map<String, INDArray> a, Map<String, INDArray> reference, double tol) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String k : reference.keySet()) {
            if (trainable(k)) {
                double d = relDiff(a.get(k), reference.get(k));
                if (!(d <= tol)) {
                    out.put(k, d);
                }
            }
        }
        return out;
    }

    /**
     * The ReLU and max-pooling decisions on which two training-mode forward passes of the same network (same
     * parameters, same input) disagree, e.g. "block_layer1_block1_conv1_relu: 1 of 24576 units change sign
     * (|pre-activation| <= 2.5e-07)". Empty when every decision is the same.
     */
    static List<String> decisionFlips(ComputationGraphConfiguration conf, Map<String, INDArray> a, Map<String, INDArray> b) {
        List<String> flips = new ArrayList<>();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            String name = e.getKey();
            String in = inputs.get(name).get(0);
            INDArray za = a.get(in).castTo(DataType.DOUBLE);
            INDArray zb = b.get(in).castTo(DataType.DOUBLE);
            if (lv.getLayerConf().getLayer() instanceof ActivationLayer al
                    && (al.getActivationFn() instanceof ActivationReLU
                    || al.getActivationFn() instanceof ReluActivation)) {
                INDArray differ = za.gt(0).neq(zb.gt(0));
                int n = differ.castTo(DataType.INT32).sumNumber().intValue();
                if (n > 0) {
                    double near = Transforms.abs(za.mul(differ.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
                    flips.add(String.format("%s: %d of %d units change sign (|pre-activation| <= %.2g, max %.2g)",
                            name, n, za.length(), near, Transforms.abs(za).maxNumber().doubleValue()));
                }
            } else if (lv.getLayerConf().getLayer() instanceof SubsamplingLayer sl
                    && sl.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX) {
                // route the same positive epsilon back through both inputs with the same op: equal unless a
                // window's maximum sits at a different position
                INDArray eps = Nd4j.rand(DataType.DOUBLE, a.get(name).shape()).addi(1);
                INDArray ra = maxPoolBp(sl, za, eps);
                INDArray rb = maxPoolBp(sl, zb, eps);
                int n = Transforms.abs(ra.sub(rb)).gt(1e-9).castTo(DataType.INT32).sumNumber().intValue();
                if (n > 0) {
                    flips.add(String.format("%s: the maximum moves in windows touching %d of %d inputs", name, n, za.length()));
                }
            }
        }
        return flips;
    }

    private static INDArray maxPoolBp(SubsamplingLayer sl, INDArray in, INDArray eps) {
        INDArray out = Nd4j.create(DataType.DOUBLE, in.shape());
        int[] k = sl.getKernelSize();
        int[] s = sl.getStride();
        int[] p = sl.getPadding();
        int[] d = sl.getDilation();
        boolean same = sl.getConvolutionMode() == ConvolutionMode.Same;
        int nhwc = sl.getCnn2dDataFormat() == org.deeplearning4j.nn.conf.CNN2DFormat.NHWC ? 1 : 0;
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(in, eps).addOutputs(out)
                .addIntegerArguments(k[0], k[1], s[0], s[1], same ? 0 : p[0], same ? 0 : p[1], d[0], d[1],
                        same ? 1 : 0, 0, nhwc)
                .build());
        return out;
    }

    /** Six images of N(0,1) noise in the spec's layout, labels {@code 7i mod classes}, from {@code seed}. */
    static DataSet minibatch(ResNetSpec spec, long seed) {
        Nd4j.getRandom().setSeed(seed);
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
        return new DataSet(x, y);
    }
}
