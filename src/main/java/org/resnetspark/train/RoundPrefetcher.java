package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.resnetspark.data.FeatureArrayPool;
import org.resnetspark.data.HeapBatch;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Computes and caches the minibatches of an epoch's training rounds one round ahead: while round r trains, a job
 * of its own (in a background thread, on the executors' free task slots) decodes and augments round r+1.
 *
 * <p>Why a job of its own: DL4J's training masters compute and cache the RDD they are given before training, to
 * count it, with no worker training meanwhile. Given an RDD already cached, that count is a cache read; the
 * decoding happened here, overlapped with the previous round. What cannot overlap (the first round, or a round
 * that is slower to prepare than to train) is measured as {@link #waitSeconds()}.
 *
 * <p>A round handed back with {@link #trained} is dropped from the cache, and the executors reuse its feature
 * arrays for the rounds prepared after it (see {@link RoundArrays}).
 */
final class RoundPrefetcher implements AutoCloseable {

    private static final String JOB_GROUP = "resnet-spark-input";
    /**
     * The rounds' heap minibatches are cached as the objects themselves: Java arrays, which Spark sizes as they are,
     * so serializing them would only copy every float twice (into Kryo's buffer, then the block's chunks) and back.
     */
    static final StorageLevel ROUND_STORAGE_LEVEL = StorageLevel.MEMORY_ONLY();

    private final JavaSparkContext sc;
    private final List<JavaRDD<HeapBatch>> rounds;
    /** The rounds submitted so far, as cached. */
    private final List<Cached> cached = new ArrayList<>();
    private final String epochName;
    private final ExecutorService thread;
    private Future<?> ready;
    private int next;
    private long waitNanos;

    /** Starts preparing the first round at once. */
    RoundPrefetcher(JavaSparkContext sc, List<JavaRDD<HeapBatch>> rounds, String epochName) {
        this.sc = sc;
        this.rounds = List.copyOf(rounds);
        this.epochName = epochName;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "resnet-spark-input-prefetch");
            t.setDaemon(true);
            return t;
        });
        this.ready = submit(0);
    }

    /**
     * Waits until the next round is cached, starts preparing the one after it, and returns it.
     *
     * @throws RuntimeException what the preparing job threw (e.g. a corrupt record under --on_bad_record fail), as
     *                          it was thrown
     */
    JavaRDD<HeapBatch> next() throws IOException {
        long t0 = System.nanoTime();
        await(ready);
        waitNanos += System.nanoTime() - t0;
        JavaRDD<HeapBatch> round = cached.get(next++).rdd();
        if (next < rounds.size()) {
            ready = submit(next);
        }
        return round;
    }

    /**
     * Drops {@code round}, a round {@link #next()} returned whose training finished, from the cache, waiting until
     * its blocks are removed, so that its arrays can be reused.
     */
    void trained(JavaRDD<HeapBatch> round) {
        Cached c = cached.stream().filter(k -> k.rdd() == round).findFirst().orElseThrow(
                () -> new IllegalArgumentException(round + " is not a round of " + epochName));
        round.unpersist(true);
        RoundArrays.dropped(c.number(), FeatureArrayPool.shared());
    }

    /** Time {@link #next()} spent waiting for a round that was not ready yet. */
    double waitSeconds() {
        return waitNanos / 1e9;
    }

    /** Cancels a preparation still running and drops every round's cached minibatches. */
    @Override
    public void close() {
        if (!ready.isDone()) {
            sc.cancelJobGroup(JOB_GROUP);
        }
        thread.shutdownNow();
        cached.forEach(c -> c.rdd().unpersist(false));
    }

    private Future<?> submit(int r) {
        long number = RoundArrays.newRound();
        long[] dropped = RoundArrays.takeDropped();
        JavaRDD<HeapBatch> round = rounds.get(r)
                .mapPartitions(it -> RoundArrays.registering(number, dropped, it, FeatureArrayPool.shared()), true)
                .setName(rounds.get(r).name());
        cached.add(new Cached(round, number));
        String description = "input for " + epochName + (rounds.size() > 1 ? ", round " + (r + 1) + "/"
                + rounds.size() : "");
        return thread.submit(() -> {
            sc.setJobGroup(JOB_GROUP, description, true);
            round.persist(ROUND_STORAGE_LEVEL).count();
        });
    }

    /** A round as cached: it registers its arrays under {@code number} (see {@link RoundArrays}). */
    private record Cached(JavaRDD<HeapBatch> rdd, long number) {
    }

    private static void await(Future<?> ready) throws IOException {
        try {
            ready.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for input", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error err) {
                throw err;
            }
            throw RoundPrefetcher.<RuntimeException>sneaky(cause);
        }
    }

    /** Spark's Scala code throws the checked SparkException undeclared; the callers handle it as it is. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
