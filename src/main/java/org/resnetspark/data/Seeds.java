package org.resnetspark.data;

import java.util.SplittableRandom;

/**
 * Where every random number of an input pipeline comes from: independent streams derived from
 * (run seed, epoch, partition), so a run is reproducible whatever the cluster does (task retries, executor
 * order), and every epoch sees fresh augmentation and a fresh order.
 */
public final class Seeds {

    /** Salts that keep the order stream and the augmentation streams of one epoch independent. */
    private static final long ORDER_SALT = 0x6A09E667F3BCC909L;
    private static final long AUGMENT_SALT = 0xBB67AE8584CAA73BL;

    private Seeds() {
    }

    /** The augmentation stream of one partition in one epoch (0-based); same inputs, same stream. */
    public static SplittableRandom forPartition(long seed, int epoch, int partition) {
        return new SplittableRandom(mix(mix(mix(seed ^ AUGMENT_SALT) + epoch) + partition));
    }

    /** The stream that orders the records of one epoch; independent of every partition stream. */
    public static SplittableRandom forEpochOrder(long seed, int epoch) {
        return new SplittableRandom(mix(mix(seed ^ ORDER_SALT) + epoch));
    }

    /** A bijective 64-bit finalizer (Stafford's mix13, as in SplittableRandom): nearby inputs, unrelated outputs. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
