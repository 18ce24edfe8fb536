import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.data.cifar.Cifar10Preprocessing;
import java.nio.file.*;
import java.io.File;

public class BnProbe {
    public static void main(String[] a) throws Exception {
        org.resnetspark.backend.Backend.init();
        ComputationGraph net = ModelSerializer.restoreComputationGraph(new File(a[0]), false);
        byte[] all = Files.readAllBytes(Path.of(a[1]));
        int n = Integer.parseInt(a[2]);
        int batch = 200;
        int correctInfer = 0, correctTrainMode = 0;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
        int correctTrainAug = 0; 
        for (int b = 0; b < n; b += batch) {
            float[] x = new float[batch * 3072];
            float[] xa = new float[batch * 3072];
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) {
                byte[] rec = java.util.Arrays.copyOfRange(all, (b + i) * 3073, (b + i + 1) * 3073);
                y[i] = rec[0];
                System.arraycopy(Cifar10Preprocessing.eval(rec, CNN2DFormat.NCHW), 0, x, i * 3072, 3072);
                System.arraycopy(Cifar10Preprocessing.train(rec, rnd, CNN2DFormat.NCHW), 0, xa, i * 3072, 3072);
            }
            INDArray in = Nd4j.create(x, new long[] {batch, 3, 32, 32}, DataType.FLOAT);
            INDArray ina = Nd4j.create(xa, new long[] {batch, 3, 32, 32}, DataType.FLOAT);
            INDArray p1 = net.outputSingle(false, in).argMax(1);
            INDArray p2 = net.outputSingle(true, in).argMax(1);
            INDArray p3 = net.outputSingle(false, ina).argMax(1);
            for (int i = 0; i < batch; i++) {
                if (p1.getInt(i) == y[i]) correctInfer++;
                if (p2.getInt(i) == y[i]) correctTrainMode++;
                if (p3.getInt(i) == y[i]) correctTrainAug++;
            }
        }
        System.out.printf("%s on %d images of %s: inference-mode BN %.4f, batch-stat BN %.4f, inference on train-augmented %.4f%n",
            a[0], n, a[1], correctInfer / (double) n, correctTrainMode / (double) n, correctTrainAug / (double) n);
    }
}
