import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.activations.Activation;
import org.resnetspark.backend.Backend;

public class OpProbe {
    static double rel(INDArray f, INDArray d) { return Transforms.abs(f.castTo(DataType.DOUBLE).sub(d)).maxNumber().doubleValue() / Transforms.abs(d).maxNumber().doubleValue(); }
    public static void main(String[] a) {
        Backend.init();
        Nd4j.getRandom().setSeed(1);
        int[][] shapes = {{6, 64, 8, 8}, {6, 64, 16, 16}, {6, 64, 10, 10}, {6, 16, 32, 32}, {6,128,4,4},{6,128,5,5}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], h = s[2], w = s[3];
            INDArray dC = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
            INDArray dP = Nd4j.randn(DataType.DOUBLE, c, n, h, w).permute(1, 0, 2, 3);
            for (int k = 0; k < 2; k++) {
                INDArray d = k == 0 ? dC : dP;
                INDArray f = k == 0 ? d.castTo(DataType.FLOAT) : d.permute(1, 0, 2, 3).castTo(DataType.FLOAT).permute(1, 0, 2, 3);
                double e1 = rel(f.sum(0, 2, 3), d.sum(0, 2, 3));
                double e2 = rel(f.mul(f).sum(0, 2, 3), d.mul(d).sum(0, 2, 3));
                INDArray x = Nd4j.randn(DataType.DOUBLE, n, c, h, w);
                double e3 = rel(Activation.RELU.getActivationFunction().backprop(x.castTo(DataType.FLOAT), f).getFirst(),
                        Activation.RELU.getActivationFunction().backprop(x.dup(), d).getFirst());
                System.out.printf("%s %s sum %.2e sumsq %.2e relu_bp %.2e %s%n", java.util.Arrays.toString(s), k == 0 ? "c   " : "perm", e1, e2, e3, Math.max(e1, Math.max(e2, e3)) > 1e-4 ? "<<<" : "");
            }
        }
    }
}
