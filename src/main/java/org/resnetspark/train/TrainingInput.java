package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * One dataset as the training loop sees it: minibatches of the per-worker batch size, freshly augmented for
 * every epoch, and a fixed evaluation set. Implementations cache only compact records (encoded bytes), never
 * float tensors.
 */
public interface TrainingInput {

    /** Augmented training minibatches for a 0-based epoch; the same epoch and seed give the same batches. */
    JavaRDD<DataSet> trainBatches(int epoch);

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
