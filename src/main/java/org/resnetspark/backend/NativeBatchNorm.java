package org.resnetspark.backend;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.nativelib.NativeLibraries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.ref.Reference;

/**
 * Batch norm of NCHW float32 activations in a small JNI library of ours ({@code src/main/c/batchnorm_planar.c}):
 * the minibatch statistics in one pass over the activation, the normalization in one, the gradient in two, with
 * sums accumulated in double. {@link PlanarBatchNormHelper} uses it where it is {@link #available()}.
 *
 * <p>Why: the same computations as ND4J ops cost one full pass over the activation per op (~26 per layer and
 * step), and made batch norm ~28% of a CIFAR ResNet-20 training step.
 *
 * <p>Guarantees: every method checks the arrays it is given (float32, CPU memory, C order, contiguous, lengths
 * matching {@code x}'s channels) and throws {@link IllegalArgumentException} before touching memory otherwise.
 * The kernels spread channels over OpenMP threads ({@code OMP_NUM_THREADS}, as libnd4j's ops). They are loaded
 * after ND4J, so they bind to the libgomp it ships. {@code -Dresnet.spark.batchnorm.native=false} (on executors: in
 * {@code spark.executor.extraJavaOptions}) switches them off; so does a build without gcc, another platform, or
 * a non-CPU ND4J backend, and {@link #status()} says why.
 */
public final class NativeBatchNorm {

    /** System property: {@code false} keeps batch norm on ND4J ops. */
    public static final String PROPERTY = "resnet.spark.batchnorm.native";

    private static final Logger LOG = LoggerFactory.getLogger(NativeBatchNorm.class);
    private static final String LIBRARY = "libresnetbatchnorm.so";
    private static final int ABI_VERSION = 1;
    private static final String STATUS = load();

    private NativeBatchNorm() {
    }

    /** True if the kernels are loaded and switched on in this JVM. */
    public static boolean available() {
        return STATUS.equals("on");
    }

    /** {@code on}, or why the kernels are not used. */
    public static String status() {
        return STATUS;
    }

    /** True for what the kernels handle: a float32 {@code [N, C, H, W]} array, C order, default strides. */
    public static boolean accepts(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.rank() == 4 && x.ordering() == 'c'
                && Shape.hasDefaultStridesForShape(x);
    }

    /** Per-channel mean and population variance of {@code x} over N, H and W, into {@code mean} and {@code var}. */
    public static void statistics(INDArray x, INDArray mean, INDArray var) {
        long channels = channels(x);
        statistics(address(x, "x", x.length()), (int) x.size(0), (int) channels, planeSize(x),
                address(mean, "mean", channels), address(var, "var", channels));
        keepAlive(x, mean, var);
    }

    /** {@code y = (x - mean) * gamma / sqrt(var + eps) + beta} per channel; {@code y} is shaped like {@code x}. */
    public static void normalize(INDArray x, INDArray mean, INDArray var, INDArray gamma, INDArray beta, double eps,
                                 INDArray y) {
        long channels = channels(x);
        normalize(address(x, "x", x.length()), address(y, "y", x.length()), (int) x.size(0), (int) channels,
                planeSize(x), address(mean, "mean", channels), address(var, "var", channels),
                address(gamma, "gamma", channels), address(beta, "beta", channels), eps);
        keepAlive(x, y, mean, var, gamma, beta);
    }

    /**
     * The gradient of batch norm in training mode (statistics of the minibatch), given {@code e}, the gradient at
     * its output: {@code dx} at its input (shaped like {@code x}), {@code dGamma} and {@code dBeta} per channel.
     */
    public static void backward(INDArray x, INDArray e, INDArray mean, INDArray var, INDArray gamma, double eps,
                                INDArray dx, INDArray dGamma, INDArray dBeta) {
        long channels = channels(x);
        backward(address(x, "x", x.length()), address(e, "epsilon", x.length()), address(dx, "dx", x.length()),
                (int) x.size(0), (int) channels, planeSize(x), address(mean, "mean", channels),
                address(var, "var", channels), address(gamma, "gamma", channels), eps,
                address(dGamma, "dGamma", channels), address(dBeta, "dBeta", channels));
        keepAlive(x, e, dx, mean, var, gamma, dGamma, dBeta);
    }

    /**
     * The kernels get raw addresses, which do not keep the arrays alive: one collected (and freed by ND4J) during a
     * call would be read or written after it is freed.
     */
    private static void keepAlive(INDArray... arrays) {
        Reference.reachabilityFence(arrays);
    }

    private static long channels(INDArray x) {
        if (!accepts(x)) {
            throw new IllegalArgumentException("batch-norm kernels take float32 [N, C, H, W] arrays in C order with "
                    + "default strides; got " + x.dataType() + " " + x.shapeInfoToString().replace('\n', ' '));
        }
        if (x.length() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("activation of " + x.length() + " values: too large for the kernels");
        }
        return x.size(1);
    }

    private static int planeSize(INDArray x) {
        return (int) (x.size(2) * x.size(3));
    }

    /** The address of {@code a}'s first value, after checking that it holds {@code length} contiguous floats. */
    private static long address(INDArray a, String name, long length) {
        boolean contiguous = a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a)
                || a.isVector() && a.elementWiseStride() == 1;
        if (a.dataType() != DataType.FLOAT || a.length() != length || !contiguous) {
            throw new IllegalArgumentException(name + ": expected " + length + " contiguous float32 values, got "
                    + a.dataType() + " " + a.shapeInfoToString().replace('\n', ' '));
        }
        // a view's buffer already starts at the view's first value
        return a.data().addressPointer().address();
    }

    private static String load() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim())) {
            return "off (-D" + PROPERTY + "=false)";
        }
        if (!Nd4j.getEnvironment().isCPU()) {
            return "off (ND4J backend is not the CPU one)";
        }
        String unavailable = NativeLibraries.unavailableReason(LIBRARY);
        if (unavailable != null) {
            return "unavailable: " + unavailable;
        }
        try {
            NativeLibraries.load(LIBRARY);
            int abi = abiVersion();
            if (abi != ABI_VERSION) {
                return "unavailable: " + LIBRARY + " has ABI version " + abi + ", expected " + ABI_VERSION;
            }
            return "on";
        } catch (IOException | LinkageError e) {
            LOG.warn("native batch-norm kernels unavailable ({}); batch norm runs on ND4J ops", e.toString());
            return "unavailable: " + e;
        }
    }

    private static native void statistics(long x, int n, int channels, int planeSize, long mean, long var);

    private static native void normalize(long x, long y, int n, int channels, int planeSize, long mean, long var,
                                         long gamma, long beta, double eps);

    private static native void backward(long x, long e, long dx, int n, int channels, int planeSize, long mean,
                                        long var, long gamma, double eps, long dGamma, long dBeta);

    private static native int abiVersion();
}
