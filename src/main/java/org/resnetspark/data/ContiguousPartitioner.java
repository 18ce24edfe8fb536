package org.resnetspark.data;

import org.apache.spark.Partitioner;

/**
 * Sends integer keys {@code 0..keys-1} to {@code partitions} contiguous ranges whose sizes differ by at most
 * one (exactly equal when {@code partitions} divides {@code keys}): partition = floor(key * partitions / keys).
 * With keys = positions in an epoch's order, every worker gets its share of the shuffled records.
 */
public final class ContiguousPartitioner extends Partitioner {

    private final int partitions;
    private final long keys;

    public ContiguousPartitioner(int partitions, long keys) {
        if (partitions < 1 || keys < 0) {
            throw new IllegalArgumentException("partitions " + partitions + ", keys " + keys
                    + ": expected >= 1 and >= 0");
        }
        this.partitions = partitions;
        this.keys = keys;
    }

    @Override
    public int numPartitions() {
        return partitions;
    }

    @Override
    public int getPartition(Object key) {
        long k = ((Number) key).longValue();
        if (k < 0 || k >= keys) {
            throw new IllegalArgumentException("key " + k + " outside 0.." + (keys - 1));
        }
        return (int) (k * partitions / keys);
    }

    /** How many keys land in {@code partition}. */
    public long size(int partition) {
        return ceilDiv((partition + 1L) * keys, partitions) - ceilDiv((long) partition * keys, partitions);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContiguousPartitioner c && c.partitions == partitions && c.keys == keys;
    }

    @Override
    public int hashCode() {
        return 31 * partitions + Long.hashCode(keys);
    }
}
