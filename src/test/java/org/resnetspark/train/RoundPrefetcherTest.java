package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnetspark.data.Batcher;
import org.resnetspark.data.ExampleWriter;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.testing.LocalSpark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundPrefetcherTest {
    private static final int WORKERS = 2;
    private static final int BATCHES = 3;
    private static final int BATCH = 4;
    private static final int EXAMPLE = 250;

    private static SparkSession spark;
    private static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(WORKERS);
        sc = LocalSpark.context(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Example k of partition p of round r: all its values r * 1000 + p * 100 + k. */
    private static float value(int round, int partition, int example) {
        return round * 1000 + partition * 100 + example;
    }

    /** A round as training caches it: {@value #BATCHES} heap batches per worker, written by a batcher. */
    private static JavaRDD<HeapBatch> round(int r) {
        Batcher batcher = new Batcher(BATCH, new long[] {EXAMPLE}, 2, 0, Batcher.Remainder.DROP);
        return sc.parallelize(List.of(0, 1), WORKERS).mapPartitionsWithIndex((p, ignored) -> {
            int[] k = {0};
            ExampleWriter examples = (out, offset) -> {
                if (k[0] == BATCHES * BATCH) {
                    return ExampleWriter.END;
                }
                Arrays.fill(out, offset, offset + EXAMPLE, value(r, p, k[0]++));
                return 0;
            };
            return batcher.heapBatches(examples);
        }, true);
    }

    /** Each round's feature arrays as the cache holds them (local mode: the executors are this JVM). */
    private static final Map<Integer, Set<float[]>> ARRAYS = new ConcurrentHashMap<>();

    /**
     * Where round {@code r}'s cached batches do not hold what was written: "partition/batch/index", one each; notes
     * their arrays in {@link #ARRAYS}.
     */
    private static List<String> wrongValues(JavaRDD<HeapBatch> cached, int r) {
        return cached.mapPartitionsWithIndex((p, it) -> {
            List<String> wrong = new ArrayList<>();
            for (int b = 0; it.hasNext(); b++) {
                float[] x = it.next().features();
                ARRAYS.computeIfAbsent(r, k -> Collections.synchronizedSet(
                        Collections.newSetFromMap(new IdentityHashMap<>()))).add(x);
                for (int i = 0; i < x.length; i++) {
                    if (x[i] != value(r, p, b * BATCH + i / EXAMPLE)) {
                        wrong.add(p + "/" + b + "/" + i);
                        break;
                    }
                }
            }
            return wrong.iterator();
        }, true).collect();
    }

    @Test
    void roundsReuseTheArraysOfRoundsTrainedBeforeAndKeepTheirOwnValues() throws Exception {
        int rounds = 6;
        List<JavaRDD<HeapBatch>> rdds = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            rdds.add(round(r));
        }
        ARRAYS.clear();
        try (RoundPrefetcher prefetcher = new RoundPrefetcher(sc, rdds, "test epoch")) {
            for (int r = 0; r < rounds; r++) {
                JavaRDD<HeapBatch> cached = prefetcher.next();
                // read twice, as DL4J counts a round, then trains on it: both from the cache
                assertEquals(WORKERS * BATCHES, cached.count());
                assertEquals(List.of(), wrongValues(cached, r), "round " + r);
                prefetcher.trained(cached);
            }
        }
        // a round's arrays are recycled once it has trained: never into the round prepared while it trains, and
        // into the rounds prepared after it
        int fromTwoBefore = 0;
        for (int r = 1; r < rounds; r++) {
            assertEquals(WORKERS * BATCHES, ARRAYS.get(r).size(), "round " + r + ": an array per batch");
            for (float[] x : ARRAYS.get(r)) {
                assertFalse(ARRAYS.get(r - 1).contains(x), "round " + r + " holds an array of round " + (r - 1));
                fromTwoBefore += r >= 2 && ARRAYS.get(r - 2).contains(x) ? 1 : 0;
            }
        }
        assertTrue(fromTwoBefore > 0, "no round reused the arrays of the round two before it");
        ARRAYS.clear();
    }

    @Test
    void onlyARoundItReturnedCanBeHandedBack() throws Exception {
        JavaRDD<HeapBatch> other = round(0);
        try (RoundPrefetcher prefetcher = new RoundPrefetcher(sc, List.of(round(0)), "test epoch")) {
            JavaRDD<HeapBatch> cached = prefetcher.next();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> prefetcher.trained(other));
            assertTrue(e.getMessage().endsWith(" is not a round of test epoch"), e.getMessage());
            prefetcher.trained(cached);
        }
    }
}
