package org.resnetspark.data;

/**
 * A partition's examples, each written straight into a slot of a batch's feature buffer, so that preprocessing
 * allocates no array per example (at 224x224x3 that is 600 KB per image, plus a copy).
 */
@FunctionalInterface
public interface ExampleWriter {

    /** Returned by {@link #writeNext} when the partition has no more examples. */
    int END = -1;

    /**
     * Writes the next example's features, in the model's layout, to {@code out[offset .. offset + length)} and
     * returns its 0-based class label; returns {@link #END} (writing nothing) when there are no more examples.
     */
    int writeNext(float[] out, int offset);
}
