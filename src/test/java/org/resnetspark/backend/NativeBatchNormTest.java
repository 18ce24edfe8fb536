package org.resnetspark.backend;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The native batch-norm kernels against the same formulas in float64 ND4J ops, on a view of a larger array (the
 * kernels must read from the view's first value), and their argument checks.
 */
class NativeBatchNormTest {

    private static final double EPS = 1e-5;

    @Test
    void loadedInThisBuild() {
        // the build compiles the kernels wherever gcc is; a silent fall-back to ND4J ops must fail here
        assertEquals("on", NativeBatchNorm.status());
    }

    @Test
    void statisticsNormalizationAndGradientMatchFloat64() {
        Nd4j.getRandom().setSeed(21);
        // rows 1..4 of 6 images: a view starting 1 image into its buffer
        INDArray whole = Nd4j.randn(DataType.FLOAT, 6, 5, 7, 3).muli(2).addi(3);
        INDArray x = whole.get(NDArrayIndex.interval(1, 5), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        assertTrue(x.offset() > 0 && NativeBatchNorm.accepts(x), "precondition: a contiguous view with an offset");
        INDArray e = Nd4j.randn(DataType.FLOAT, 4, 5, 7, 3);
        INDArray gamma = Nd4j.rand(DataType.FLOAT, 5).addi(0.5);
        INDArray beta = Nd4j.randn(DataType.FLOAT, 5);

        INDArray mean = Nd4j.create(DataType.FLOAT, 5);
        INDArray var = Nd4j.create(DataType.FLOAT, 5);
        NativeBatchNorm.statistics(x, mean, var);
        INDArray y = Nd4j.create(DataType.FLOAT, 4, 5, 7, 3);
        NativeBatchNorm.normalize(x, mean, var, gamma, beta, EPS, y);
        INDArray dx = Nd4j.create(DataType.FLOAT, 4, 5, 7, 3);
        INDArray dGamma = Nd4j.create(DataType.FLOAT, 5);
        INDArray dBeta = Nd4j.create(DataType.FLOAT, 5);
        NativeBatchNorm.backward(x, e, mean, var, gamma, EPS, dx, dGamma, dBeta);

        INDArray x64 = x.castTo(DataType.DOUBLE);
        INDArray e64 = e.castTo(DataType.DOUBLE);
        INDArray mean64 = x64.mean(0, 2, 3);
        INDArray var64 = x64.var(false, 0, 2, 3);
        INDArray invStd = pow(var64.add(EPS), -0.5);
        INDArray xhat = x64.sub(channel(mean64)).muli(channel(invStd));
        INDArray y64 = xhat.mul(channel(gamma.castTo(DataType.DOUBLE))).addi(channel(beta.castTo(DataType.DOUBLE)));
        INDArray dBeta64 = e64.sum(0, 2, 3);
        INDArray dGamma64 = e64.mul(xhat).sum(0, 2, 3);
        double m = 4 * 7 * 3;
        INDArray dx64 = e64.sub(channel(dBeta64.div(m))).subi(xhat.mul(channel(dGamma64.div(m))))
                .muli(channel(gamma.castTo(DataType.DOUBLE).mul(invStd)));

        assertClose(mean64, mean, 1e-6, "mean");
        assertClose(var64, var, 1e-6, "variance");
        assertClose(y64, y, 1e-5, "normalized output");
        assertClose(dBeta64, dBeta, 1e-5, "dBeta");
        assertClose(dGamma64, dGamma, 1e-5, "dGamma");
        assertClose(dx64, dx, 1e-5, "dx");
    }

    @Test
    void refusesArraysItCannotReadBeforeTouchingMemory() {
        INDArray x = Nd4j.create(DataType.FLOAT, 2, 3, 4, 4);
        INDArray mean = Nd4j.create(DataType.FLOAT, 3);
        IllegalArgumentException wrongLength = assertThrows(IllegalArgumentException.class,
                () -> NativeBatchNorm.statistics(x, mean, Nd4j.create(DataType.FLOAT, 4)));
        assertTrue(wrongLength.getMessage().startsWith("var: expected 3 contiguous float32 values"),
                wrongLength.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NativeBatchNorm.statistics(x.castTo(DataType.DOUBLE), mean, mean.dup()));
        INDArray nhwcView = Nd4j.create(DataType.FLOAT, 2, 4, 4, 3).permute(0, 3, 1, 2);
        assertFalse(NativeBatchNorm.accepts(nhwcView));
        assertThrows(IllegalArgumentException.class, () -> NativeBatchNorm.statistics(nhwcView, mean, mean.dup()));
    }

    /** A per-channel vector broadcastable against [N, C, H, W]. */
    private static INDArray channel(INDArray v) {
        return v.reshape(1, v.length(), 1, 1);
    }

    private static INDArray pow(INDArray a, double p) {
        return org.nd4j.linalg.ops.transforms.Transforms.pow(a, p, true);
    }

    /** Largest difference relative to the largest entry of {@code expected} (at least 1). */
    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(DataType.DOUBLE).reshape(expected.shape())).amaxNumber()
                .doubleValue();
        assertTrue(diff <= tolerance * scale, what + ": max difference " + diff + " (scale " + scale + ")");
    }
}
