package org.resnetspark.data.imagenet.convert;

/** TensorFlow's shard names: {@code train-00000-of-01024}, {@code validation-00127-of-00128}. */
public final class ShardNames {

    private ShardNames() {
    }

    /** {@code <split>-<index, 5 digits>-of-<count, 5 digits>}. */
    public static String of(String split, int index, int count) {
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + " of " + count);
        }
        return String.format("%s-%05d-of-%05d", split, index, count);
    }
}
