package org.resnetspark.data;

import org.apache.spark.Partitioner;

/**
 * Sends integer keys {@code 0..keys-1} to {@code workers} contiguous ranges whose sizes differ by at most one
 * (exactly equal when {@code workers} divides {@code keys}): worker = floor(key * workers / keys). With keys =
 * positions in an epoch's order, every worker gets its share of the shuffled records.
 *
 * <p>Optionally each worker's range is cut further into chunks of {@code keysPerChunk} consecutive keys (the
 * training rounds between two parameter averagings): partition {@code chunk * workers + worker}, so the
 * partitions of one round are {@code round * workers .. round * workers + workers - 1} and can be selected
 * without computing the others.
 */
public final class ContiguousPartitioner extends Partitioner {

    private final int workers;
    private final long keys;
    private final long keysPerChunk;
    private final int chunks;

    /** One partition per worker. */
    public ContiguousPartitioner(int workers, long keys) {
        this(workers, keys, Long.MAX_VALUE);
    }

    public ContiguousPartitioner(int workers, long keys, long keysPerChunk) {
        if (workers < 1 || keys < 0 || keysPerChunk < 1) {
            throw new IllegalArgumentException("workers " + workers + ", keys " + keys + ", keys per chunk "
                    + keysPerChunk + ": expected >= 1, >= 0, >= 1");
        }
        this.workers = workers;
        this.keys = keys;
        this.keysPerChunk = keysPerChunk;
        this.chunks = (int) Math.max(1, ceilDiv(ceilDiv(keys, workers), keysPerChunk));
    }

    @Override
    public int numPartitions() {
        return workers * chunks;
    }

    /** Chunks (rounds) per worker; {@code numPartitions() == workers * chunks()}. */
    public int chunks() {
        return chunks;
    }

    @Override
    public int getPartition(Object key) {
        long k = ((Number) key).longValue();
        if (k < 0 || k >= keys) {
            throw new IllegalArgumentException("key " + k + " outside 0.." + (keys - 1));
        }
        int worker = (int) (k * workers / keys);
        long offset = k - ceilDiv(worker * keys, workers);
        return (int) (offset / keysPerChunk) * workers + worker;
    }

    /** How many keys land in {@code partition}. */
    public long size(int partition) {
        int worker = partition % workers;
        long chunk = partition / workers;
        long range = ceilDiv((worker + 1L) * keys, workers) - ceilDiv((long) worker * keys, workers);
        return Math.max(0, Math.min(keysPerChunk, range - chunk * keysPerChunk));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContiguousPartitioner c && c.workers == workers && c.keys == keys
                && c.keysPerChunk == keysPerChunk;
    }

    @Override
    public int hashCode() {
        return (31 * workers + Long.hashCode(keys)) * 31 + Long.hashCode(keysPerChunk);
    }
}
