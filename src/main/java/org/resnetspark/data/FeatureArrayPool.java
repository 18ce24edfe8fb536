package org.resnetspark.data;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Minibatch feature arrays that nothing reads any more, kept for the next minibatches of the same size.
 *
 * <p>Why: a cached training round must own its arrays, so every batch used to be a new array. The JVM zero-fills
 * each one, and at ImageNet's 19 MB per batch of 32 G1 allocates it as a humongous object: {@code bench input}
 * measured the train pipeline 8-10% slower into new arrays than into one reused array (session 24). Only the code
 * that dropped a cached round knows that nothing can read its arrays any more; it hands them back with
 * {@link #recycle}.
 *
 * <p>Guarantees: {@link #take} returns an array of exactly the length asked for, which no other caller of
 * {@code take} gets until it is recycled again; its contents are arbitrary (a recycled array still holds an old
 * batch), so the caller must overwrite all of it. The pool holds at most {@code capacityBytes}; arrays recycled
 * beyond that are left to the garbage collector. Thread-safe.
 */
public final class FeatureArrayPool {

    private static final FeatureArrayPool SHARED = new FeatureArrayPool(Runtime.getRuntime().maxMemory() / 8);

    private final long capacityBytes;
    private final Map<Integer, ArrayDeque<float[]>> byLength = new HashMap<>();
    private long pooledBytes;
    private long reused;

    /** @param capacityBytes the most the pool holds; 0 makes a pool that always allocates */
    public FeatureArrayPool(long capacityBytes) {
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("capacity " + capacityBytes + " bytes, expected >= 0");
        }
        this.capacityBytes = capacityBytes;
    }

    /** This JVM's pool (an executor's, in Spark), holding at most an eighth of the maximum heap. */
    public static FeatureArrayPool shared() {
        return SHARED;
    }

    /** A recycled array of {@code length} floats, or a new one when there is none. */
    public float[] take(int length) {
        synchronized (this) {
            ArrayDeque<float[]> free = byLength.get(length);
            if (free != null && !free.isEmpty()) {
                pooledBytes -= bytes(length);
                reused++;
                return free.pop();
            }
        }
        return new float[length];
    }

    /**
     * Hands {@code array} to later {@link #take}s. The caller guarantees that nothing reads or writes it any more.
     *
     * @return whether the pool kept it (false: it was full)
     */
    public synchronized boolean recycle(float[] array) {
        if (pooledBytes + bytes(array.length) > capacityBytes) {
            return false;
        }
        ArrayDeque<float[]> free = byLength.computeIfAbsent(array.length, l -> new ArrayDeque<>());
        for (float[] pooled : free) {
            if (pooled == array) {
                throw new IllegalStateException("array recycled twice");
            }
        }
        free.push(array);
        pooledBytes += bytes(array.length);
        return true;
    }

    /** How many {@link #take}s a recycled array served. */
    public synchronized long reusedCount() {
        return reused;
    }

    /** Bytes of the arrays held now. */
    public synchronized long pooledBytes() {
        return pooledBytes;
    }

    private static long bytes(int length) {
        return (long) length * Float.BYTES;
    }
}
