import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.backend.Backend;
import org.resnetspark.model.*;
import java.util.*;
import java.util.function.Supplier;

public class FlipProbe {
    static <T> T off(Supplier<T> s) {
        String before = System.getProperty(Backend.HELPERS_DISABLE);
        boolean nb = Nd4j.getEnvironment().helpersAllowed();
        System.setProperty(Backend.HELPERS_DISABLE, "true"); Nd4j.getEnvironment().allowHelpers(false);
        try { return s.get(); } finally { Nd4j.getEnvironment().allowHelpers(nb); System.setProperty(Backend.HELPERS_DISABLE, before); }
    }
    static INDArray poolBp(INDArray in, INDArray eps) {
        INDArray out = Nd4j.create(in.dataType(), in.shape());
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(in, eps).addOutputs(out)
                .addIntegerArguments(3, 3, 2, 2, 0, 0, 1, 1, 1, 0, 0).build());
        return out;
    }
    public static void main(String[] a) {
        Backend.init();
        int size = Integer.parseInt(a[0]); int img = Integer.parseInt(a[1]); long seed = Long.parseLong(a[2]);
        DatasetFamily fam = a.length > 3 ? DatasetFamily.valueOf(a[3]) : DatasetFamily.IMAGENET;
        ResNetSpec spec = ResNetSpec.of(fam, size, ResNetVersion.V1_5).withImageSize(img).withNumClasses(5);
        ComputationGraph on = ResNetBuilder.of(spec).seed(11).build();
        ComputationGraph of = off(() -> ResNetBuilder.of(spec).seed(11).build());
        ComputationGraph db = off(() -> { var c = ResNetBuilder.of(spec).seed(11).configuration(); c.setDataType(DataType.DOUBLE); var g = new ComputationGraph(c); g.init(); return g; });
        of.setParams(on.params().dup()); db.setParams(on.params().castTo(DataType.DOUBLE));
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.FLOAT, 6, 3, img, img);
        Map<String, INDArray> aOn = on.feedForward(x, true);
        Map<String, INDArray> aOf = off(() -> of.feedForward(x, true));
        Map<String, INDArray> aDb = off(() -> db.feedForward(x.castTo(DataType.DOUBLE), true));
        var vin = on.getConfiguration().getVertexInputs();
        int total = 0;
        for (int idx : on.topologicalSortOrder()) {
            String name = on.getVertices()[idx].getVertexName();
            var vc = on.getConfiguration().getVertices().get(name);
            if (!(vc instanceof LayerVertex lv)) continue;
            var lc = lv.getLayerConf().getLayer();
            String in = vin.get(name).get(0);
            if (lc instanceof ActivationLayer) {
                INDArray zOn = aOn.get(in).castTo(DataType.DOUBLE), zOf = aOf.get(in).castTo(DataType.DOUBLE), zDb = aDb.get(in);
                INDArray sOn = zOn.gt(0).castTo(DataType.DOUBLE), sOf = zOf.gt(0).castTo(DataType.DOUBLE), sDb = zDb.gt(0).castTo(DataType.DOUBLE);
                int onOff = sOn.neq(sOf).castTo(DataType.INT32).sumNumber().intValue();
                int onDb = sOn.neq(sDb).castTo(DataType.INT32).sumNumber().intValue();
                int ofDb = sOf.neq(sDb).castTo(DataType.INT32).sumNumber().intValue();
                if (onOff + onDb + ofDb > 0) {
                    INDArray mask = sOn.neq(sOf).castTo(DataType.DOUBLE).add(sOn.neq(sDb).castTo(DataType.DOUBLE)).gt(0).castTo(DataType.DOUBLE);
                    double maxAbs = Transforms.abs(zDb.mul(mask)).maxNumber().doubleValue();
                    System.out.printf("RELU FLIP %-35s (%d units) on!=off %d on!=dbl %d off!=dbl %d; |pre-ReLU| at flips <= %.2e (scale %.2e)%n",
                            name, zDb.length(), onOff, onDb, ofDb, maxAbs, Transforms.abs(zDb).maxNumber().doubleValue());
                }
                total += onOff + onDb + ofDb;
            } else if (lc instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer) {
                INDArray eps = Nd4j.rand(DataType.DOUBLE, aDb.get(name).shape()).addi(1);
                INDArray rOn = poolBp(aOn.get(in).castTo(DataType.DOUBLE), eps), rOf = poolBp(aOf.get(in).castTo(DataType.DOUBLE), eps), rDb = poolBp(aDb.get(in), eps);
                double d1 = Transforms.abs(rOn.sub(rOf)).maxNumber().doubleValue(), d2 = Transforms.abs(rOn.sub(rDb)).maxNumber().doubleValue(), d3 = Transforms.abs(rOf.sub(rDb)).maxNumber().doubleValue();
                int n1 = Transforms.abs(rOn.sub(rOf)).gt(1e-9).castTo(DataType.INT32).sumNumber().intValue();
                int n2 = Transforms.abs(rOn.sub(rDb)).gt(1e-9).castTo(DataType.INT32).sumNumber().intValue();
                int n3 = Transforms.abs(rOf.sub(rDb)).gt(1e-9).castTo(DataType.INT32).sumNumber().intValue();
                System.out.printf("POOL %-35s argmax routing differs: on!=off %d elems, on!=dbl %d, off!=dbl %d%n", name, n1, n2, n3);
                total += n1 + n2 + n3;
            }
        }
        System.out.println("TOTAL decision flips " + total + " (size " + size + ", img " + img + ", seed " + seed + ")");
    }
}
