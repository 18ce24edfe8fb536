package org.resnetspark.train;

import org.resnetspark.data.FeatureArrayPool;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.data.LazyIterators;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which feature arrays each cached training round holds, so that an executor reuses them
 * ({@link FeatureArrayPool}) once the driver has dropped the round.
 *
 * <p>How it stays safe: the driver gives every round a number ({@link #newRound}) and reports it
 * {@link #dropped} only after the round trained and a blocking unpersist removed its blocks, which waits until
 * no task reads them. Nothing else holds a round's arrays: training reads each batch into ND4J arrays of its own,
 * and a block read from another executor arrives as new arrays. The driver's JVM (the executor in local mode)
 * recycles its arrays at once; the numbers dropped travel to other executors with the tasks of the next round
 * prepared ({@link #registering}), so an executor recycles only what it registered and only after the drop.
 * Arrays are registered through weak references: a round whose number never reaches an executor (the last rounds
 * of a run, an executor that runs no later task, a block Spark evicted) leaves its arrays to the garbage
 * collector, as before.
 */
final class RoundArrays {

    /** Driver side: the next round's number. */
    private static final AtomicLong LAST_ROUND = new AtomicLong();
    /** Driver side: rounds dropped and not yet sent to the executors. */
    private static final Queue<Long> DROPPED = new ConcurrentLinkedQueue<>();
    /** Executor side: the arrays of each round cached here. */
    private static final Map<Long, Queue<WeakReference<float[]>>> CACHED = new ConcurrentHashMap<>();

    private RoundArrays() {
    }

    /** Driver side: a number for a round about to be cached, unique in this JVM. */
    static long newRound() {
        return LAST_ROUND.incrementAndGet();
    }

    /**
     * Driver side: {@code round}'s blocks are removed and no task reads them any more. What this JVM cached of it
     * goes to {@code pool} now.
     */
    static void dropped(long round, FeatureArrayPool pool) {
        recycle(new long[] {round}, pool);
        DROPPED.add(round);
    }

    /** Driver side: the rounds reported {@link #dropped} since the last call, for the next round's tasks. */
    static long[] takeDropped() {
        List<Long> rounds = new ArrayList<>();
        for (Long r; (r = DROPPED.poll()) != null; ) {
            rounds.add(r);
        }
        return rounds.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Executor side, in the task that caches a partition of {@code round}: first recycles into {@code pool} the
     * arrays this JVM registered for the rounds in {@code dropped}, then returns {@code batches} registering each
     * batch's feature array under {@code round} as it is passed on.
     */
    static Iterator<HeapBatch> registering(long round, long[] dropped, Iterator<HeapBatch> batches,
                                           FeatureArrayPool pool) {
        recycle(dropped, pool);
        Queue<WeakReference<float[]>> arrays = CACHED.computeIfAbsent(round, r -> new ConcurrentLinkedQueue<>());
        return LazyIterators.map(batches, b -> {
            arrays.add(new WeakReference<>(b.features()));
            return b;
        });
    }

    private static void recycle(long[] dropped, FeatureArrayPool pool) {
        for (long round : dropped) {
            Queue<WeakReference<float[]>> arrays = CACHED.remove(round);
            if (arrays != null) {
                for (WeakReference<float[]> ref : arrays) {
                    float[] a = ref.get();
                    if (a != null) {
                        pool.recycle(a);
                    }
                }
            }
        }
        // rounds never reported here (an epoch's last ones, a run that failed) would otherwise stay in the map
        CACHED.values().removeIf(arrays -> !arrays.isEmpty() && arrays.stream().allMatch(r -> r.get() == null));
    }
}
