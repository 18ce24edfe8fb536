package org.resnetspark.data;

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
}
