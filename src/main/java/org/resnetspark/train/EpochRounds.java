package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.rdd.PartitionPruningRDD;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;

/**
 * Hands a training master one averaging round of an epoch at a time.
 *
 * <p>Why: DL4J's {@code ParameterAveragingTrainingMaster} caches the whole RDD it is given, counts it, and then
 * runs one job per averaging round that filters the complete cached epoch for that round's minibatches
 * (deserializing all of them, every round) and collects partition sizes. On CIFAR-10 that made a round of 5
 * minibatches cost 3x its training time, and the deserialized copies piled up as native garbage. Given exactly one
 * round, DL4J caches only that round, sees a single split and trains it directly.
 */
public final class EpochRounds {

    private EpochRounds() {
    }

    /**
     * The partitions {@code round * workers .. round * workers + workers - 1} of {@code epoch} (laid out by
     * {@link TrainingInput#trainBatches(int, int)}) as an RDD of {@code workers} partitions; the others are not
     * computed.
     */
    public static <T> JavaRDD<T> round(JavaRDD<T> epoch, int round, int workers) {
        int first = round * workers;
        if (round < 0 || first + workers > epoch.getNumPartitions()) {
            throw new IllegalArgumentException("round " + round + " of " + workers + " workers: the epoch has only "
                    + epoch.getNumPartitions() + " partitions");
        }
        return new JavaRDD<>(PartitionPruningRDD.create(epoch.rdd(), new PartitionRange(first, first + workers)),
                epoch.classTag()).setName(epoch.name() + ", round " + (round + 1));
    }

    /** Rounds of an epoch laid out for {@code workers} workers. */
    public static int rounds(JavaRDD<?> epoch, int workers) {
        return epoch.getNumPartitions() / workers;
    }

    /** Keeps partition indices in [from, to); serialized with the pruned RDD. */
    private static final class PartitionRange extends AbstractFunction1<Object, Object> implements Serializable {
        private final int from;
        private final int to;

        PartitionRange(int from, int to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public Object apply(Object index) {
            int i = (Integer) index;
            return i >= from && i < to;
        }
    }
}
