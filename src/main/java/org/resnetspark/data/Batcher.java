package org.resnetspark.data;

import org.nd4j.linalg.api.buffer.DataType;
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
        return new Iterator<>() {
            private DataSet next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    next = fill(examples);
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

    /** Up to one batch from {@code it}; null when nothing (or, with DROP, only a partial batch) is left. */
    private DataSet fill(Iterator<LabeledExample> it) {
        float[] x = new float[batchSize * exampleLength];
        int[] labels = new int[batchSize];
        int n = 0;
        while (n < batchSize && it.hasNext()) {
            LabeledExample e = it.next();
            if (e.features().length != exampleLength) {
                throw new IllegalArgumentException("example with " + e.features().length + " features, expected "
                        + exampleLength + " " + Arrays.toString(exampleShape));
            }
            if (e.label() < 0 || e.label() >= numClasses) {
                throw new IllegalArgumentException("label " + e.label() + ", expected 0.." + (numClasses - 1));
            }
            System.arraycopy(e.features(), 0, x, n * exampleLength, exampleLength);
            labels[n++] = e.label();
        }
        if (n == 0 || (n < batchSize && remainder == Remainder.DROP)) {
            return null;
        }
        if (n < batchSize) {
            x = Arrays.copyOf(x, n * exampleLength);
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
        return new DataSet(Nd4j.create(x, shape, DataType.FLOAT),
                Nd4j.create(y, new long[] {n, numClasses}, DataType.FLOAT));
    }
}
