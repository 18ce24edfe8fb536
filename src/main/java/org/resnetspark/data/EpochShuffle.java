package org.resnetspark.data;

import org.apache.spark.api.java.JavaPairRDD;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The record order of one training epoch: a uniformly random permutation that depends only on
 * (seed, epoch, number of records), so every executor can compute it alone, and a rerun sees the same order.
 */
public final class EpochShuffle {

    private EpochShuffle() {
    }

    /**
     * {@code positions[i]} is where record {@code i} goes in this epoch's order; a permutation of
     * {@code 0..n-1} (Fisher-Yates with {@link Seeds#forEpochOrder}).
     */
    public static int[] positions(int n, long seed, int epoch) {
        if (n < 0) {
            throw new IllegalArgumentException("record count " + n + ": expected >= 0");
        }
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = Seeds.forEpochOrder(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /**
     * One epoch's training records spread over the workers: the first {@code used} records of this epoch's order,
     * keyed by their position in it, range-partitioned into {@code workers} equally long contiguous runs, each cut
     * into rounds of {@code recordsPerRound} (partition {@code round * workers + worker}, see
     * {@link ContiguousPartitioner}), sorted within each partition. Every kept record appears exactly once; the
     * rest sit this epoch out.
     *
     * @param indexed records keyed by their index {@code 0..n-1}
     */
    public static <T> JavaPairRDD<Integer, T> place(JavaPairRDD<Integer, T> indexed, int n, long used, long seed,
                                                    int epoch, int workers, long recordsPerRound) {
        return indexed
                .mapPartitionsToPair(it -> {
                    int[] position = positions(n, seed, epoch);
                    List<Tuple2<Integer, T>> out = new ArrayList<>();
                    while (it.hasNext()) {
                        Tuple2<Integer, T> t = it.next();
                        int p = position[t._1()];
                        if (p < used) {
                            out.add(new Tuple2<>(p, t._2()));
                        }
                    }
                    return out.iterator();
                })
                .repartitionAndSortWithinPartitions(new ContiguousPartitioner(workers, used, recordsPerRound));
    }
}
