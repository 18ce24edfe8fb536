import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.resnetspark.backend.Backend;

public class GemmProbe {
    public static void main(String[] a) {
        Backend.init();
        Nd4j.getRandom().setSeed(1);
        int[][] shapes = {{576, 384, 64}, {144, 6144, 16}, {576, 384, 64}, {147, 1536, 64}, {64, 384, 576}, {384, 64, 576}, {384,576,64}};
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2];
            for (int ta = 0; ta < 2; ta++) for (int tb = 0; tb < 2; tb++) {
                INDArray A = ta == 0 ? Nd4j.randn(DataType.DOUBLE, m, k) : Nd4j.randn(DataType.DOUBLE, k, m).transpose();
                INDArray B = tb == 0 ? Nd4j.randn(DataType.DOUBLE, k, n) : Nd4j.randn(DataType.DOUBLE, n, k).transpose();
                INDArray cd = A.mmul(B);
                INDArray Af = A.castTo(DataType.FLOAT), Bf = B.castTo(DataType.FLOAT);
                if (ta == 1) Af = A.transpose().castTo(DataType.FLOAT).transpose();
                if (tb == 1) Bf = B.transpose().castTo(DataType.FLOAT).transpose();
                INDArray cf = Af.mmul(Bf).castTo(DataType.DOUBLE);
                double err = Transforms.abs(cf.sub(cd)).maxNumber().doubleValue() / Transforms.abs(cd).maxNumber().doubleValue();
                System.out.printf("m=%d k=%d n=%d ta=%d tb=%d relerr %.3e %s%n", m, k, n, ta, tb, err, err > 1e-4 ? "<<<" : "");
            }
        }
    }
}
