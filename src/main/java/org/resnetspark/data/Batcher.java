package org.resnetspark.data;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Groups one partition's preprocessed examples into DL4J minibatches: features {@code [n, ...exampleShape]},
 * labels {@code [n, numClasses]} one-hot, optionally smoothed to
 * {@code onehot * (1 - eps) + eps / numClasses} (TensorFlow's label smoothing).
 *
 * <p>Guarantees: examples are consumed lazily and in order, each exactly once; every batch but possibly the
 * last holds exactly {@code batchSize} examples. The last, partial batch of a partition is
 * {@link Remainder#DROP dropped} (training: DL4J's training masters expect equal batches on every worker) or
 * {@link Remainder#KEEP kept} (evaluation: every image must count).
 */
public final class Batcher implements Serializable {

    /** What happens to the examples left over after the last full batch of a partition. */
    public enum Remainder {
        /** Leave them out (for training). */
        DROP,
        /** Emit them as one smaller batch (for evaluation). */
        KEEP
    }

    private final int batchSize;
    private final long[] exampleShape;
    private final int exampleLength;
    private final int numClasses;
    private final double labelSmoothing;
    private final Remainder remainder;

    /**
     * @param exampleShape   shape of one example's features, e.g. {3, 32, 32} (NCHW) or {32, 32, 3} (NHWC)
     * @param labelSmoothing epsilon in [0, 1); 0 gives plain one-hot labels
     */
    public Batcher(int batchSize, long[] exampleShape, int numClasses, double labelSmoothing, Remainder remainder) {
        if (batchSize < 1 || numClasses < 2 || !(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("batchSize " + batchSize + ", numClasses " + numClasses
                    + ", labelSmoothing " + labelSmoothing + ": expected >= 1, >= 2, [0, 1)");
        }
        this.batchSize = batchSize;
        this.exampleShape = exampleShape.clone();
        this.exampleLength = Math.toIntExact(Arrays.stream(exampleShape).reduce(1, Math::multiplyExact));
        this.numClasses = numClasses;
        this.labelSmoothing = labelSmoothing;
        this.remainder = remainder;
    }

    /** Number of batches {@code examples} examples give (the remainder batch counts only with KEEP). */
    public static long batchCount(long examples, int batchSize, Remainder remainder) {
        return remainder == Remainder.DROP ? examples / batchSize : (examples + batchSize - 1) / batchSize;
    }

    /** The minibatches of one partition, built lazily as the returned iterator is consumed. */
    public Iterator<DataSet> batches(Iterator<LabeledExample> examples) {
        return batches((out, offset) -> {
            if (!examples.hasNext()) {
                return ExampleWriter.END;
            }
            LabeledExample e = examples.next();
            if (e.features().length != exampleLength) {
                throw new IllegalArgumentException("example with " + e.features().length + " features, expected "
                        + exampleLength + " " + Arrays.toString(exampleShape));
            }
            System.arraycopy(e.features(), 0, out, offset, exampleLength);
            return e.label();
        });
    }

    /**
     * The minibatches of one partition, built lazily as the returned iterator is consumed; {@code examples}
     * writes each example into the batch's buffer, which is reused from batch to batch (every returned
     * {@link DataSet} holds its own copy in ND4J's memory).
     */
    public Iterator<DataSet> batches(ExampleWriter examples) {
        float[] buffer = new float[batchSize * exampleLength];
        return new Iterator<>() {
            private DataSet next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next == null && !done) {
                    next = fill(examples, buffer);
                    done = next == null;
                }
                return next != null;
            }

            @Override
            public DataSet next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                DataSet d = next;
                next = null;
                return d;
            }
        };
    }

    /** Up to one batch from {@code examples}; null when nothing (or, with DROP, only a partial batch) is left. */
    private DataSet fill(ExampleWriter examples, float[] x) {
        int[] labels = new int[batchSize];
        int n = 0;
        while (n < batchSize) {
            int label = examples.writeNext(x, n * exampleLength);
            if (label == ExampleWriter.END) {
                break;
            }
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException("label " + label + ", expected 0.." + (numClasses - 1));
            }
            labels[n++] = label;
        }
        if (n == 0 || (n < batchSize && remainder == Remainder.DROP)) {
            return null;
        }
        float off = (float) (labelSmoothing / numClasses);
        float on = (float) (1 - labelSmoothing) + off;
        float[] y = new float[n * numClasses];
        Arrays.fill(y, off);
        for (int i = 0; i < n; i++) {
            y[i * numClasses + labels[i]] = on;
        }
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return new DataSet(nd4jCopy(x, n * exampleLength, shape),
                Nd4j.create(y, new long[] {n, numClasses}, DataType.FLOAT));
    }

    /**
     * The first {@code length} values of {@code values} in a new ND4J array of {@code shape}, which owns its copy
     * (so {@code values} may be reused). On the CPU backend one memcpy into uninitialized native memory:
     * {@code Nd4j.create(float[])} first zero-fills it, which for a 19 MB ImageNet batch costs as much again
     * (~10 ms). Other backends (CUDA keeps host and device copies) go through {@code Nd4j.create}.
     */
    static INDArray nd4jCopy(float[] values, int length, long[] shape) {
        if (!Nd4j.getEnvironment().isCPU()) {
            return Nd4j.create(Arrays.copyOf(values, length), shape, DataType.FLOAT);
        }
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, shape);
        if (a.length() != length) {
            throw new IllegalArgumentException(length + " values for shape " + Arrays.toString(shape));
        }
        new FloatPointer(a.data().addressPointer()).put(values, 0, length);
        return a;
    }
}
