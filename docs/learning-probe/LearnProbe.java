import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.data.cifar.Cifar10Preprocessing;
import org.resnetspark.model.*;
import org.resnetspark.train.*;
import java.nio.file.*;

/**
 * No Spark: ResNet-N on real CIFAR-10 with the product's preprocessing, net and updater; loss trajectory.
 * Optional 6th argument: cycle over only the first K training images without augmentation (can it memorize?).
 */
public class LearnProbe {
    public static void main(String[] a) throws Exception {
        org.resnetspark.backend.Backend.init();
        String dir = a[0]; int size = Integer.parseInt(a[1]); int steps = Integer.parseInt(a[2]);
        String updater = a[3]; double wd = Double.parseDouble(a[4]);
        int batch = 128;
        int cycle = a.length > 5 ? Integer.parseInt(a[5]) : 50000;
        boolean augment = a.length <= 5;
        byte[][] files = new byte[5][];
        for (int i = 0; i < 5; i++) files[i] = Files.readAllBytes(Path.of(dir, "data_batch_" + (i + 1) + ".bin"));
        byte[] test = Files.readAllBytes(Path.of(dir, "test_batch.bin"));
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, size, ResNetVersion.parse("1"));
        LearningRateSchedule lr = new LearningRateSchedule(0.1, 390, 0, new double[0], new double[] {1});
        ResNetBuilder b = ResNetBuilder.of(spec).seed(1).weightDecay(wd).batchNormDecay(0.9);
        b = updater.equals("nesterov") ? b.updater(new org.nd4j.linalg.learning.config.Nesterovs(0.1, 0.9))
                : b.updater(new Momentum(lr, 0.9));
        ComputationGraph net = b.build();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        double avg = 0; long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            float[] x = new float[batch * 3072]; float[] y = new float[batch * 10];
            for (int i = 0; i < batch; i++) {
                int g = (s * batch + i) % cycle;
                byte[] f = files[g / 10000];
                byte[] rec = java.util.Arrays.copyOfRange(f, (g % 10000) * 3073, (g % 10000 + 1) * 3073);
                System.arraycopy(augment ? Cifar10Preprocessing.train(rec, rnd, CNN2DFormat.NCHW)
                        : Cifar10Preprocessing.eval(rec, CNN2DFormat.NCHW), 0, x, i * 3072, 3072);
                y[i * 10 + rec[0]] = 1f;
            }
            net.fit(new DataSet(Nd4j.create(x, new long[] {batch, 3, 32, 32}, DataType.FLOAT),
                    Nd4j.create(y, new long[] {batch, 10}, DataType.FLOAT)));
            avg = s == 0 ? net.score() : 0.95 * avg + 0.05 * net.score();
            if ((s + 1) % 25 == 0) System.out.printf("step %d loss(ema) %.4f last %.4f  %.1f img/s%n", s + 1, avg, net.score(), (s + 1) * batch / ((System.nanoTime() - t0) / 1e9));
        }
        int n = 1000, ci = 0, ct = 0;
        for (int bb = 0; bb < n; bb += 200) {
            float[] x = new float[200 * 3072]; int[] yy = new int[200];
            for (int i = 0; i < 200; i++) {
                byte[] rec = java.util.Arrays.copyOfRange(test, (bb + i) * 3073, (bb + i + 1) * 3073);
                yy[i] = rec[0];
                System.arraycopy(Cifar10Preprocessing.eval(rec, CNN2DFormat.NCHW), 0, x, i * 3072, 3072);
            }
            INDArray in = Nd4j.create(x, new long[] {200, 3, 32, 32}, DataType.FLOAT);
            INDArray p1 = net.outputSingle(false, in).argMax(1), p2 = net.outputSingle(true, in).argMax(1);
            for (int i = 0; i < 200; i++) { if (p1.getInt(i) == yy[i]) ci++; if (p2.getInt(i) == yy[i]) ct++; }
        }
        System.out.printf("ResNet-%d %s wd %g after %d steps: test top-1 inference BN %.3f, batch-stat BN %.3f%n", size, updater, wd, steps, ci / (double) n, ct / (double) n);
    }
}
