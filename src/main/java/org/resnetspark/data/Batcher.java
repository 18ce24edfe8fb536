package org.resnetspark.data;

import org.nd4j.linalg.dataset.DataSet;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Supplier;

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
        return batches(writer(examples));
    }

    /** As {@link #batches(Iterator)}, in heap memory (see {@link HeapBatch}). */
    public Iterator<HeapBatch> heapBatches(Iterator<LabeledExample> examples) {
        return heapBatches(writer(examples));
    }

    /**
     * The minibatches of one partition, built lazily as the returned iterator is consumed; {@code examples}
     * writes each example into the batch's buffer, which is reused from batch to batch (every returned
     * {@link DataSet} holds its own copy in ND4J's memory).
     */
    public Iterator<DataSet> batches(ExampleWriter examples) {
        float[] buffer = new float[batchSize * exampleLength];
        return lazily(() -> {
            Filled f = fill(examples, buffer);
            if (f == null) {
                return null;
            }
            long[] shape = HeapBatch.batchShape(f.n, exampleShape);
            return new DataSet(HeapBatch.nd4jCopy(buffer, f.n * exampleLength, shape),
                    HeapBatch.nd4jCopy(f.labels, f.labels.length, new long[] {f.n, numClasses}));
        });
    }

    /**
     * As {@link #batches(ExampleWriter)}, in heap memory: each batch gets a feature array of its own from this
     * JVM's {@link FeatureArrayPool#shared() pool}, which {@code examples} writes into directly.
     */
    public Iterator<HeapBatch> heapBatches(ExampleWriter examples) {
        return heapBatches(examples, FeatureArrayPool.shared());
    }

    /** As {@link #heapBatches(ExampleWriter)}, the feature arrays taken from {@code arrays}. */
    public Iterator<HeapBatch> heapBatches(ExampleWriter examples, FeatureArrayPool arrays) {
        return lazily(() -> {
            float[] x = arrays.take(batchSize * exampleLength);
            Filled f = fill(examples, x);
            if (f == null) {
                arrays.recycle(x);
                return null;
            }
            if (f.n == batchSize) {
                return new HeapBatch(x, exampleShape, f.labels, f.n, numClasses);
            }
            float[] features = Arrays.copyOf(x, f.n * exampleLength);
            arrays.recycle(x);
            return new HeapBatch(features, exampleShape, f.labels, f.n, numClasses);
        });
    }

    private ExampleWriter writer(Iterator<LabeledExample> examples) {
        return (out, offset) -> {
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
        };
    }

    /** The batches {@code next} makes, until it returns null. */
    private static <T> Iterator<T> lazily(Supplier<T> next) {
        return new Iterator<>() {
            private T ready;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (ready == null && !done) {
                    ready = next.get();
                    done = ready == null;
                }
                return ready != null;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T t = ready;
                ready = null;
                return t;
            }
        };
    }

    /** A batch's examples written into a buffer: how many, and their label rows. */
    private record Filled(int n, float[] labels) {
    }

    /**
     * Up to one batch from {@code examples} into {@code x}; null when nothing (or, with DROP, only a partial batch)
     * is left.
     */
    private Filled fill(ExampleWriter examples, float[] x) {
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
        return new Filled(n, y);
    }
}
