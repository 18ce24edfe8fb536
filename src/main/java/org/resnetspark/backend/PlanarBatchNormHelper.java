package org.resnetspark.backend;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.BatchNorm;
import org.nd4j.linalg.api.ops.impl.reduce.floating.SquaredNorm;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A batch-norm layer helper for training NCHW float32 networks faster than DL4J's oneDNN helper
 * ({@code MKLDNNBatchNormHelper}), which it replaces ({@link BatchNormHelpers#install}).
 *
 * <p>Why: DL4J computes the minibatch mean and variance of an NCHW activation with two reductions over axes
 * (0, 2, 3), and the gradient with libnd4j's {@code batchnorm_bp}; measured on this project's 2-core machine for
 * CIFAR ResNet-20 at batch 128 these took ~150 ms and ~220 ms of a ~1,300 ms training step. Here the activation is
 * viewed as {@code N*C} contiguous planes of {@code H*W} values: per-plane sums, sums of squared deviations and dot products
 * (fast contiguous reductions) give the per-channel statistics and the gradient, and the input gradient is a
 * per-channel affine combination of the output gradient and the input, applied with in-place row operations.
 * Where {@link NativeBatchNorm} is loaded, its kernels compute the same quantities in 4 passes over the activation
 * per step instead of ~26 ND4J ops.
 *
 * <p>What it guarantees: the same quantities as DL4J's helper up to float32 rounding: the population variance
 * (two passes, as DL4J, or deviations from a shift accumulated in double in the native kernels), the same
 * normalization ({@code batchnorm} op, or the native kernel) in the forward pass and in inference, the same
 * {@link #getMeanCache}/{@link #getVarCache} contract for the moving averages. NHWC, a non-default stride, or a layer without gamma fall back to DL4J's exact
 * computations; other data types return {@code null}, which makes DL4J use its built-in path.
 */
public final class PlanarBatchNormHelper implements BatchNormalizationHelper {

    private final boolean nativeKernels;
    private INDArray meanCache;
    private INDArray varCache;

    /** With {@link NativeBatchNorm}'s kernels where they are available. */
    public PlanarBatchNormHelper() {
        this(NativeBatchNorm.available());
    }

    /** @param nativeKernels whether to use {@link NativeBatchNorm} (which must then be available) or ND4J ops */
    PlanarBatchNormHelper(boolean nativeKernels) {
        if (nativeKernels && !NativeBatchNorm.available()) {
            throw new IllegalStateException("native batch-norm kernels: " + NativeBatchNorm.status());
        }
        this.nativeKernels = nativeKernels;
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta, INDArray mean,
                              INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (x.dataType() != DataType.FLOAT) {
            return null;
        }
        int axis = axis(x, format);
        INDArray m;
        INDArray v;
        if (training) {
            if (meanCache == null) {
                try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                    meanCache = Nd4j.createUninitialized(x.dataType(), x.size(axis));
                    varCache = Nd4j.createUninitialized(x.dataType(), x.size(axis));
                }
            }
            batchStatistics(x, axis, workspaceMgr);
            m = meanCache;
            v = varCache;
        } else {
            m = mean.reshape(mean.length());
            v = var.reshape(var.length());
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape());
        if (axis == 1 && gamma != null && beta != null && useNative(x)) {
            NativeBatchNorm.normalize(x, m, v, gamma.reshape(gamma.length()), beta.reshape(beta.length()), eps, out);
            return out;
        }
        BatchNorm op = new BatchNorm();
        op.addIArgument(gamma != null ? 1 : 0, beta != null ? 1 : 0, axis);
        op.addTArgument(eps);
        op.addInputArgument(x, m, v);
        if (gamma != null && beta != null) {
            op.addInputArgument(gamma.reshape(gamma.length()), beta.reshape(beta.length()));
        }
        op.addOutputArgument(out);
        Nd4j.exec(op);
        return out;
    }

    /** Fills {@link #meanCache} and {@link #varCache} with the minibatch statistics per channel. */
    private void batchStatistics(INDArray x, int axis, LayerWorkspaceMgr workspaceMgr) {
        if (!planar(x, axis)) {
            int[] dims = axis == 1 ? new int[]{0, 2, 3} : new int[]{0, 1, 2};
            x.mean(meanCache, dims);
            Nd4j.exec(new Variance(x, varCache, false, dims));
            return;
        }
        if (useNative(x)) {
            NativeBatchNorm.statistics(x, meanCache, varCache);
            return;
        }
        long n = x.size(0);
        long channels = x.size(1);
        double perChannel = (double) n * x.size(2) * x.size(3);
        INDArray planes = planes(x);
        INDArray planeSums = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(), n * channels);
        planes.sum(planeSums, 1);
        planeSums.reshape(n, channels).sum(meanCache, 0).divi(perChannel);
        // two passes, as DL4J's variance: the squares of the deviations, not E[x^2] - E[x]^2, which loses digits
        // when a channel's mean is large against its spread
        INDArray deviations = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, x.dataType(),
                planes.shape());
        deviations.assign(planes).subiColumnVector(perPlane(meanCache, n));
        Nd4j.exec(new SquaredNorm(deviations, planeSums, 1));
        planeSums.reshape(n, channels).sum(varCache, 0).divi(perChannel);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView,
                                                     double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (input.dataType() != DataType.FLOAT) {
            return null;
        }
        // as DL4J's helper (deeplearning4j issue 8860): the ops need default strides
        if (!Shape.hasDefaultStridesForShape(epsilon) || epsilon.ordering() != 'c') {
            epsilon = epsilon.dup('c');
        }
        int axis = axis(input, format);
        INDArray epsAtInput = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(),
                input.shape());
        if (planar(input, axis) && gamma != null && dGammaView != null) {
            planarBackprop(input, epsilon, gamma, dGammaView, dBetaView, eps, epsAtInput, workspaceMgr);
        } else {
            libnd4jBackprop(input, epsilon, gamma, beta, dGammaView, dBetaView, eps, axis, epsAtInput, workspaceMgr);
        }
        Gradient g = new DefaultGradient();
        g.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        g.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(g, epsAtInput);
    }

    /**
     * The batch-norm gradient for NCHW, with per-plane reductions over contiguous memory. With {@code e} the
     * gradient at the output, {@code m = N*H*W}, {@code s = 1/sqrt(var + eps)}, {@code d = x - mean} and
     * {@code xhat = d * s}: {@code dbeta = sum(e)}, {@code dgamma = sum(e * xhat) = s * sum(e * d)} and
     * {@code dx = gamma * s * (e - dbeta/m - xhat * dgamma/m)}, which is {@code a*e + b*d + c} per channel.
     */
    private void planarBackprop(INDArray x, INDArray e, INDArray gamma, INDArray dGammaView, INDArray dBetaView,
                                double eps, INDArray dx, LayerWorkspaceMgr workspaceMgr) {
        long channels = x.size(1);
        if (useNative(x)) {
            NativeBatchNorm.backward(x, e, meanCache, varCache, gamma.reshape(channels), eps, dx,
                    dGammaView.reshape(channels), dBetaView.reshape(channels));
            return;
        }
        long n = x.size(0);
        double m = (double) n * x.size(2) * x.size(3);
        INDArray xPlanes = planes(x);
        INDArray ePlanes = planes(e);
        INDArray deviations = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(),
                xPlanes.shape());
        deviations.assign(xPlanes).subiColumnVector(perPlane(meanCache, n));
        INDArray planeSums = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, x.dataType(), n * channels);
        ePlanes.sum(planeSums, 1);
        INDArray sumE = planeSums.reshape(n, channels).sum(0);
        Nd4j.exec(new Dot(ePlanes, deviations, planeSums, 1));
        INDArray invStd = Transforms.pow(varCache.add(eps), -0.5, false);
        INDArray dGamma = planeSums.reshape(n, channels).sum(0).muli(invStd);
        INDArray a = gamma.reshape(channels).mul(invStd);
        INDArray b = a.mul(invStd).muli(dGamma).divi(-m);
        INDArray c = a.mul(sumE).divi(-m);
        dGammaView.reshape(channels).assign(dGamma);
        dBetaView.reshape(channels).assign(sumE);

        INDArray dxPlanes = planes(dx);
        dxPlanes.assign(ePlanes).muliColumnVector(perPlane(a, n));
        deviations.muliColumnVector(perPlane(b, n));
        dxPlanes.addi(deviations).addiColumnVector(perPlane(c, n));
    }

    /** DL4J's way: libnd4j's {@code batchnorm_bp} op. */
    private void libnd4jBackprop(INDArray input, INDArray epsilon, INDArray gamma, INDArray beta,
                                 INDArray dGammaView, INDArray dBetaView, double eps, int axis, INDArray epsAtInput,
                                 LayerWorkspaceMgr workspaceMgr) {
        List<INDArray> inputs = new ArrayList<>(List.of(input, meanCache, varCache));
        if (gamma != null) {
            inputs.add(gamma.reshape(gamma.length()));
        }
        if (beta != null) {
            inputs.add(beta.reshape(beta.length()));
        }
        inputs.add(epsilon);
        DynamicCustomOp op = DynamicCustomOp.builder("batchnorm_bp")
                .addInputs(inputs.toArray(new INDArray[0]))
                .addIntegerArguments(gamma == null ? 0 : 1, beta == null ? 0 : 1, axis)
                .addFloatingPointArguments(eps)
                .build();
        op.setOutputArgument(0, epsAtInput);
        op.setOutputArgument(1, workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, meanCache.dataType(),
                meanCache.shape()));
        op.setOutputArgument(2, workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, meanCache.dataType(),
                meanCache.shape()));
        if (dGammaView != null) {
            op.setOutputArgument(3, dGammaView.reshape(dGammaView.length()));
            op.setOutputArgument(4, dBetaView.reshape(dBetaView.length()));
        }
        Nd4j.exec(op);
    }

    /** The native kernels take over where they are loaded and the activation is NCHW float32 in C order. */
    private boolean useNative(INDArray x) {
        return nativeKernels && NativeBatchNorm.accepts(x);
    }

    /** NCHW in default C order: the layout whose {@code H*W} planes are contiguous rows. */
    private static boolean planar(INDArray x, int axis) {
        return axis == 1 && x.rank() == 4 && x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x);
    }

    /** {@code [N, C, H, W]} viewed as {@code N*C} rows of {@code H*W}. */
    private static INDArray planes(INDArray x) {
        return x.reshape('c', x.size(0) * x.size(1), x.size(2) * x.size(3));
    }

    /** A per-channel vector repeated for every image: a column of {@code n * C} rows matching {@link #planes}. */
    private static INDArray perPlane(INDArray perChannel, long n) {
        // built on the heap: Nd4j.tile took ~2% of a ResNet-20 training step for these few thousand values
        float[] channel = perChannel.toFloatVector();
        float[] rows = new float[Math.toIntExact(n * channel.length)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(channel, 0, rows, i * channel.length, channel.length);
        }
        return Nd4j.createFromArray(rows).reshape(rows.length, 1);
    }

    private static int axis(INDArray x, CNN2DFormat format) {
        return x.rank() != 4 || format == CNN2DFormat.NCHW ? 1 : 3;
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }
}
