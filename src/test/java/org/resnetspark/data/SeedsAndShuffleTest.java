package org.resnetspark.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SeedsAndShuffleTest {

    @Test
    void epochOrderIsAPermutationFixedBySeedAndEpoch() {
        int[] a = EpochShuffle.positions(1000, 42, 3);
        assertArrayEquals(IntStream.range(0, 1000).toArray(), Arrays.stream(a).sorted().toArray());
        assertArrayEquals(a, EpochShuffle.positions(1000, 42, 3));
        assertFalse(Arrays.equals(a, EpochShuffle.positions(1000, 42, 4)), "new epoch, new order");
        assertFalse(Arrays.equals(a, EpochShuffle.positions(1000, 43, 3)), "new seed, new order");
        long fixedPoints = IntStream.range(0, 1000).filter(i -> a[i] == i).count();
        assertEquals(1, fixedPoints, 4, "a random permutation has ~1 fixed point, not the identity");
    }

    @Test
    void partitionStreamsAreReproducibleAndDistinct() {
        long x = Seeds.forPartition(7, 2, 1).nextLong();
        assertEquals(x, Seeds.forPartition(7, 2, 1).nextLong());
        assertNotEquals(x, Seeds.forPartition(7, 2, 0).nextLong());
        assertNotEquals(x, Seeds.forPartition(7, 3, 1).nextLong());
        assertNotEquals(x, Seeds.forPartition(8, 2, 1).nextLong());
        // (epoch 1, partition 0) and (epoch 0, partition 1) must not share a stream
        assertNotEquals(Seeds.forPartition(7, 1, 0).nextLong(), Seeds.forPartition(7, 0, 1).nextLong());
        assertNotEquals(Seeds.forEpochOrder(7, 2).nextLong(), Seeds.forPartition(7, 2, 0).nextLong());
    }

    @Test
    void contiguousPartitionsAreBalanced() {
        ContiguousPartitioner equal = new ContiguousPartitioner(4, 400);
        assertEquals(0, equal.getPartition(99));
        assertEquals(1, equal.getPartition(100));
        assertEquals(3, equal.getPartition(399));
        ContiguousPartitioner uneven = new ContiguousPartitioner(3, 10);
        int[] counts = new int[3];
        for (int k = 0; k < 10; k++) {
            counts[uneven.getPartition(k)]++;
        }
        assertArrayEquals(new int[] {4, 3, 3}, counts);
        assertArrayEquals(new long[] {4, 3, 3}, new long[] {uneven.size(0), uneven.size(1), uneven.size(2)});
    }

    @Test
    void chunkedPartitionsAreRoundMajor() {
        // 2 workers x 10 keys each, rounds of 4: worker 0 = keys 0..9 -> partitions 0, 2, 4; worker 1 -> 1, 3, 5
        ContiguousPartitioner rounds = new ContiguousPartitioner(2, 20, 4);
        assertEquals(3, rounds.chunks());
        assertEquals(6, rounds.numPartitions());
        int[] expected = {0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 1, 1, 1, 1, 3, 3, 3, 3, 5, 5};
        for (int k = 0; k < 20; k++) {
            assertEquals(expected[k], rounds.getPartition(k), "key " + k);
        }
        long[] sizes = new long[6];
        for (int p = 0; p < 6; p++) {
            sizes[p] = rounds.size(p);
        }
        assertArrayEquals(new long[] {4, 4, 4, 4, 2, 2}, sizes);
        assertEquals(new ContiguousPartitioner(2, 20), new ContiguousPartitioner(2, 20, Long.MAX_VALUE));
        assertEquals(2, new ContiguousPartitioner(2, 20, Long.MAX_VALUE).numPartitions());
    }
}
