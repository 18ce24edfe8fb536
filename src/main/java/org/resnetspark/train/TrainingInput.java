package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.HeapBatch;

import java.util.List;

/**
 * One dataset as the training loop sees it: minibatches of the per-worker batch size, freshly augmented for
 * every epoch, and a fixed evaluation set. Implementations cache only compact records (encoded bytes), never
 * float tensors.
 */
public interface TrainingInput {

    /**
     * Augmented training minibatches for a 0-based epoch, one partition per worker; the same epoch and seed give
     * the same batches.
     */
    default JavaRDD<DataSet> trainBatches(int epoch) {
        return trainBatches(epoch, Integer.MAX_VALUE);
    }

    /**
     * The epoch cut into training rounds of at most {@code batchesPerRound} minibatches per worker: partition
     * {@code round * workers + worker}, so that {@link EpochRounds#round} can hand one round at a time to a
     * training master without computing (or caching) the rest of the epoch. Round r of worker w holds that
     * worker's records {@code r * batchesPerRound * batch ..} of {@link #trainBatches(int)}'s order (the random
     * augmentation is seeded per partition, so its draws differ between the two layouts).
     */
    default JavaRDD<DataSet> trainBatches(int epoch, int batchesPerRound) {
        return trainHeapBatches(epoch, batchesPerRound).map(HeapBatch::toDataSet);
    }

    /**
     * {@link #trainBatches(int, int)} in heap memory, as training rounds cache them (see {@link HeapBatch} for
     * why): the same batches, with the same values.
     */
    JavaRDD<HeapBatch> trainHeapBatches(int epoch, int batchesPerRound);

    /** Evaluation minibatches (eval preprocessing, no augmentation). */
    JavaRDD<DataSet> evalBatches();

    /** Number of training images per epoch. */
    long trainImages();

    /** Number of evaluation images. */
    long evalImages();

    /** Class names, index = label. */
    List<String> classNames();

    /** Records skipped as corrupt so far (0 when the source cannot have any). */
    default long badRecords() {
        return 0;
    }
}
