package org.resnetspark.train;

import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

import java.io.Serializable;

/**
 * Counts minibatches trained on the executors into a Spark accumulator, which the driver reads for progress.
 * Spark merges accumulator updates when a task ends, so the driver sees the count advance once per
 * averaging round (parameter averaging) or per finished worker task (gradient sharing).
 */
final class MinibatchCounter extends BaseTrainingListener implements Serializable {

    private final LongAccumulator minibatches;

    MinibatchCounter(LongAccumulator minibatches) {
        this.minibatches = minibatches;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        minibatches.add(1);
    }
}
