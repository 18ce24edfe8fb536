import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.backend.Backend;
import org.resnetspark.model.*;

import java.util.*;
import java.util.function.Supplier;

public class GradProbe {
    static <T> T off(Supplier<T> s) {
        String before = System.getProperty(Backend.HELPERS_DISABLE);
        boolean nb = Nd4j.getEnvironment().helpersAllowed();
        System.setProperty(Backend.HELPERS_DISABLE, "true");
        Nd4j.getEnvironment().allowHelpers(false);
        try { return s.get(); } finally {
            Nd4j.getEnvironment().allowHelpers(nb);
            System.setProperty(Backend.HELPERS_DISABLE, before == null ? "false" : before);
        }
    }
    static Map<String, INDArray> grads(ComputationGraph g, DataSet ds) {
        g.setInputs(ds.getFeatures()); g.setLabels(ds.getLabels());
        g.computeGradientAndScore();
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (var e : g.gradient().gradientForVariable().entrySet()) m.put(e.getKey(), e.getValue().castTo(DataType.DOUBLE).dup());
        return m;
    }
    public static void main(String[] a) {
        Backend.init();
        int size = Integer.parseInt(a.length > 0 ? a[0] : "18");
        int img = Integer.parseInt(a.length > 1 ? a[1] : "32");
        DatasetFamily fam = a.length > 2 ? DatasetFamily.valueOf(a[2]) : DatasetFamily.IMAGENET;
        ResNetSpec spec = ResNetSpec.of(fam, size, ResNetVersion.V1_5).withImageSize(img).withNumClasses(5);
        ComputationGraph on = ResNetBuilder.of(spec).seed(11).build();
        ComputationGraph offN = off(() -> ResNetBuilder.of(spec).seed(11).build());
        ComputationGraph dbl = off(() -> { var c = ResNetBuilder.of(spec).seed(11).configuration(); c.setDataType(DataType.DOUBLE); var g = new ComputationGraph(c); g.init(); return g; });
        offN.setParams(on.params().dup());
        dbl.setParams(on.params().castTo(DataType.DOUBLE));
        Nd4j.getRandom().setSeed(11);
        int n = 6;
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, img, img);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 5);
        for (int i = 0; i < n; i++) y.putScalar(i, (i * 7) % 5, 1f);
        DataSet ds = new DataSet(x, y);
        DataSet dsd = new DataSet(x.castTo(DataType.DOUBLE), y.castTo(DataType.DOUBLE));
        Map<String, INDArray> gOn = grads(on, ds);
        Map<String, INDArray> gOff = off(() -> grads(offN, ds));
        Map<String, INDArray> gD = off(() -> grads(dbl, dsd));
        System.out.printf("scores on %.8f off %.8f dbl %.10f%n", on.score(), offN.score(), dbl.score());
        // variants
        ComputationGraph offNoWs = off(() -> { var c = ResNetBuilder.of(spec).seed(11).configuration(); c.setTrainingWorkspaceMode(org.deeplearning4j.nn.conf.WorkspaceMode.NONE); c.setInferenceWorkspaceMode(org.deeplearning4j.nn.conf.WorkspaceMode.NONE); var g = new ComputationGraph(c); g.init(); return g; });
        offNoWs.setParams(on.params().dup());
        Map<String, INDArray> gNoWs = off(() -> grads(offNoWs, ds));
        Map<String, INDArray> gNat;
        { String b = System.getProperty(Backend.HELPERS_DISABLE); System.setProperty(Backend.HELPERS_DISABLE, "true");
          ComputationGraph offNat = ResNetBuilder.of(spec).seed(11).build(); System.setProperty(Backend.HELPERS_DISABLE, b);
          offNat.setParams(on.params().dup()); gNat = grads(offNat, ds); }
        for (String k : gD.keySet()) {
            if (k.endsWith("_mean") || k.endsWith("_var") || !k.matches("initial.*|block_layer1_block1.*")) continue;
            double s = Transforms.abs(gD.get(k)).maxNumber().doubleValue();
            System.out.printf("VAR %-40s noWs-dbl %10.3e  offNativeHelpers-dbl %10.3e%n", k,
                Transforms.abs(gNoWs.get(k).sub(gD.get(k))).maxNumber().doubleValue() / s,
                Transforms.abs(gNat.get(k).sub(gD.get(k))).maxNumber().doubleValue() / s);
        }
        System.out.printf("%-40s %10s %10s %10s %10s%n", "param", "max|gD|", "on-dbl", "off-dbl", "on-off");
        for (String k : gD.keySet()) {
            if (k.endsWith("_mean") || k.endsWith("_var") || k.endsWith("_log10stdev")) continue;
            double s = Transforms.abs(gD.get(k)).maxNumber().doubleValue();
            double d1 = Transforms.abs(gOn.get(k).sub(gD.get(k))).maxNumber().doubleValue();
            double d2 = Transforms.abs(gOff.get(k).sub(gD.get(k))).maxNumber().doubleValue();
            double d3 = Transforms.abs(gOn.get(k).sub(gOff.get(k))).maxNumber().doubleValue();
            System.out.printf("%-40s %10.3e %10.3e %10.3e %10.3e %s%n", k, s, d1 / s, d2 / s, d3 / s, (d1 / s > 1e-3 || d2 / s > 1e-3) ? "<<<" : "");
        }
        // central differences on the double net for a few entries of chosen params
        String[] check = a.length > 3 ? a[3].split(",") : new String[0];
        for (String k : check) {
            INDArray p = dbl.getParam(k);
            INDArray g = gD.get(k);
            long len = p.length();
            Random r = new Random(1);
            double worstOn = 0, worstOff = 0, worstD = 0;
            for (int t = 0; t < 8; t++) {
                long i = t == 0 ? Transforms.abs(g.sub(gOn.get(k))).reshape(-1).argMax().getLong(0) : (long) (r.nextDouble() * len);
                double orig = p.reshape(-1).getDouble(i);
                double h = 1e-6;
                p.reshape(-1).putScalar(i, orig + h);
                double sp = off(() -> dbl.score(dsd, true));
                p.reshape(-1).putScalar(i, orig - h);
                double sm = off(() -> dbl.score(dsd, true));
                p.reshape(-1).putScalar(i, orig);
                double fd = (sp - sm) / (2 * h);
                double an = g.reshape(-1).getDouble(i), vOn = gOn.get(k).reshape(-1).getDouble(i), vOff = gOff.get(k).reshape(-1).getDouble(i);
                System.out.printf("FD %-32s [%d] fd %.6e dbl %.6e on %.6e off %.6e%n", k, i, fd, an, vOn, vOff);
            }
        }
    }
}
