import org.deeplearning4j.nn.conf.*;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.*;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.backend.Backend;
import java.util.*;
import java.util.function.Supplier;

public class PieceProbe {
    static int K = 8;
    static ComputationGraphConfiguration conf(String piece, int c, int hw, DataType dt) {
        var gb = new NeuralNetConfiguration.Builder().seed(3).dataType(dt).updater(new Sgd(0.1))
                .weightInit(WeightInit.VAR_SCALING_NORMAL_FAN_IN).convolutionMode(ConvolutionMode.Truncate).graphBuilder();
        gb.addInputs("in").setInputTypes(InputType.convolutional(hw, hw, c));
        String x = "in";
        for (String p : piece.split("\\+")) {
            String n = p + "_" + x.length();
            switch (p) {
                case "conv7" -> gb.addLayer(n, new ConvolutionLayer.Builder(7, 7).stride(2, 2).padding(3, 3).nOut(K).hasBias(false).activation(Activation.IDENTITY).build(), x);
                case "conv3" -> gb.addLayer(n, new ConvolutionLayer.Builder(3, 3).stride(1, 1).padding(1, 1).nOut(K).hasBias(false).activation(Activation.IDENTITY).build(), x);
                case "conv3s2" -> gb.addLayer(n, new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(K).hasBias(false).activation(Activation.IDENTITY).build(), x);
                case "bn" -> gb.addLayer(n, new BatchNormalization.Builder().decay(0.997).eps(1e-5).build(), x);
                case "relu" -> gb.addLayer(n, new ActivationLayer.Builder().activation(Activation.RELU).build(), x);
                case "pool" -> gb.addLayer(n, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[]{3, 3}, new int[]{2, 2}).convolutionMode(ConvolutionMode.Same).build(), x);
                case "pooltr" -> gb.addLayer(n, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[]{3, 3}, new int[]{2, 2}).padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), x);
                case "res" -> { // basic block, identity shortcut
                    String a = n + "a", b = n + "b";
                    gb.addLayer(a + "c", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(K).hasBias(false).activation(Activation.IDENTITY).build(), x);
                    gb.addLayer(a + "bn", new BatchNormalization.Builder().build(), a + "c");
                    gb.addLayer(a + "r", new ActivationLayer.Builder().activation(Activation.RELU).build(), a + "bn");
                    gb.addLayer(b + "c", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(K).hasBias(false).activation(Activation.IDENTITY).build(), a + "r");
                    gb.addLayer(b + "bn", new BatchNormalization.Builder().build(), b + "c");
                    gb.addVertex(n + "add", new ElementWiseVertex(ElementWiseVertex.Op.Add), b + "bn", x);
                    gb.addLayer(n, new ActivationLayer.Builder().activation(Activation.RELU).build(), n + "add");
                }
                default -> throw new IllegalArgumentException(p);
            }
            x = n;
        }
        gb.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY).nOut(3).build(), x);
        gb.setOutputs("out");
        return gb.build();
    }
    static <T> T off(Supplier<T> s) {
        String before = System.getProperty(Backend.HELPERS_DISABLE);
        boolean nb = Nd4j.getEnvironment().helpersAllowed();
        System.setProperty(Backend.HELPERS_DISABLE, "true"); Nd4j.getEnvironment().allowHelpers(false);
        try { return s.get(); } finally { Nd4j.getEnvironment().allowHelpers(nb); System.setProperty(Backend.HELPERS_DISABLE, before); }
    }
    static ComputationGraph net(ComputationGraphConfiguration c) { var g = new ComputationGraph(c); g.init(); return g; }
    static Map<String, INDArray> grads(ComputationGraph g, INDArray x, INDArray y) {
        g.setInputs(x); g.setLabels(y); g.computeGradientAndScore();
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (var e : g.gradient().gradientForVariable().entrySet()) m.put(e.getKey(), e.getValue().castTo(DataType.DOUBLE).dup());
        return m;
    }
    public static void main(String[] args) {
        Backend.init();
        int n = 6;
        for (String spec : args) {
            String[] f = spec.split(":");
            String piece = f[0]; int c = Integer.parseInt(f[1]); int hw = Integer.parseInt(f[2]); K = Integer.parseInt(f[3]);
            ComputationGraph on = net(conf(piece, c, hw, DataType.FLOAT));
            ComputationGraph of = off(() -> net(conf(piece, c, hw, DataType.FLOAT)));
            ComputationGraph db = off(() -> net(conf(piece, c, hw, DataType.DOUBLE)));
            of.setParams(on.params().dup()); db.setParams(on.params().castTo(DataType.DOUBLE));
            Nd4j.getRandom().setSeed(5);
            INDArray x = Nd4j.randn(DataType.FLOAT, n, c, hw, hw);
            INDArray y = Nd4j.randn(DataType.FLOAT, n, 3);
            var gOn = grads(on, x, y);
            var gOf = off(() -> grads(of, x, y));
            var gDb = off(() -> grads(db, x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE)));
            StringBuilder helpers = new StringBuilder();
            for (var l : on.getLayers()) helpers.append(l.getHelper() == null ? "-" : "H");
            System.out.printf("== %s c=%d hw=%d helpers(on)=%s%n", piece, c, hw, helpers);
            for (String k : gDb.keySet()) {
                if (k.endsWith("_mean") || k.endsWith("_var") || k.endsWith("stdev")) continue;
                double s = Transforms.abs(gDb.get(k)).maxNumber().doubleValue();
                double e1 = Transforms.abs(gOn.get(k).sub(gDb.get(k))).maxNumber().doubleValue() / s;
                double e2 = Transforms.abs(gOf.get(k).sub(gDb.get(k))).maxNumber().doubleValue() / s;
                System.out.printf("   %-22s on-dbl %9.2e off-dbl %9.2e %s%n", k, e1, e2, (e1 > 1e-3 || e2 > 1e-3) ? "<<<" : "");
            }
        }
    }
}
