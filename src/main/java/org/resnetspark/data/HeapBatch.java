package org.resnetspark.data;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One minibatch in JVM heap memory: what a training round caches between the job that decodes and augments it and
 * the job that trains on it. A minibatch made straight into ND4J memory costs a fresh native allocation on the CPU
 * backend (19 MB for an ImageNet batch of 32: ~7 ms measured, as much as the copy into it and more), only for Spark
 * to serialize it into the cache at once; a heap batch becomes a {@link DataSet} only where a network needs one.
 *
 * <p>Guarantees: {@link #toDataSet()} returns features {@code [n, ...exampleShape]} and labels
 * {@code [n, numClasses]} holding exactly these values, in ND4J memory of their own. The arrays are shared, not
 * copied: whoever builds a batch hands its arrays over.
 */
public final class HeapBatch implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] features;
    private final long[] exampleShape;
    private final float[] labels;
    private final int numExamples;
    private final int numClasses;

    /**
     * @param features     {@code numExamples} examples of {@code exampleShape}, one after the other
     * @param labels       {@code numExamples x numClasses} values, row by row
     * @throws IllegalArgumentException if the lengths do not match the shapes
     */
    public HeapBatch(float[] features, long[] exampleShape, float[] labels, int numExamples, int numClasses) {
        long perExample = Arrays.stream(exampleShape).reduce(1, Math::multiplyExact);
        if (numExamples < 1 || numClasses < 1 || features.length != perExample * numExamples
                || labels.length != (long) numExamples * numClasses) {
            throw new IllegalArgumentException(numExamples + " examples of " + Arrays.toString(exampleShape) + ", "
                    + numClasses + " classes: expected " + perExample * numExamples + " feature and "
                    + (long) numExamples * numClasses + " label values, got " + features.length + " and "
                    + labels.length);
        }
        this.features = features;
        this.exampleShape = exampleShape.clone();
        this.labels = labels;
        this.numExamples = numExamples;
        this.numClasses = numClasses;
    }

    public int numExamples() {
        return numExamples;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The shape of one example's features, e.g. {3, 224, 224} (NCHW). */
    public long[] exampleShape() {
        return exampleShape.clone();
    }

    /** The feature values, shared (not a copy). */
    public float[] features() {
        return features;
    }

    /** The label values, shared (not a copy). */
    public float[] labels() {
        return labels;
    }

    /** The minibatch in ND4J memory of its own (see {@link #nd4jCopy}). */
    public DataSet toDataSet() {
        return new DataSet(nd4jCopy(features, features.length, batchShape(numExamples, exampleShape)),
                nd4jCopy(labels, labels.length, new long[] {numExamples, numClasses}));
    }

    /** {@code [n, ...exampleShape]}. */
    static long[] batchShape(int n, long[] exampleShape) {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(exampleShape, 0, shape, 1, exampleShape.length);
        return shape;
    }

    /**
     * The first {@code length} values of {@code values} in a new ND4J array of {@code shape}, which owns its copy
     * (so {@code values} may be reused), outside any open workspace: DL4J makes minibatches from its training and
     * evaluation tasks, where one may be open, and keeps (and caches) them beyond it. On the CPU backend one memcpy
     * into uninitialized native memory: {@code Nd4j.create(float[])} first zero-fills it. Other backends
     * (CUDA keeps host and device copies) go through {@code Nd4j.create}.
     */
    static INDArray nd4jCopy(float[] values, int length, long[] shape) {
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
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
}
