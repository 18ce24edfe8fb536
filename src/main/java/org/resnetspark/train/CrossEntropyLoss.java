package org.resnetspark.train;

import org.nd4j.evaluation.BaseEvaluation;
import org.nd4j.evaluation.IMetric;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.List;

/**
 * Mean softmax cross-entropy of the network's outputs over all evaluated examples, mergeable across Spark
 * partitions so the evaluation loss comes out of the same pass as the accuracies. Probabilities are clipped at
 * 1e-12 so one confident mistake gives a large, finite loss.
 */
public final class CrossEntropyLoss extends BaseEvaluation<CrossEntropyLoss> {

    private static final double MIN_PROBABILITY = 1e-12;

    private double sum;
    private long count;

    /** Mean cross-entropy, NaN before any example. */
    public double mean() {
        return count == 0 ? Double.NaN : sum / count;
    }

    public long count() {
        return count;
    }

    @Override
    public void eval(INDArray labels, INDArray predictions, INDArray mask, List<? extends Serializable> meta) {
        if (mask != null) {
            throw new IllegalArgumentException("masked outputs are not expected from an image classifier");
        }
        INDArray logP = Transforms.log(Transforms.max(predictions.castTo(labels.dataType()), MIN_PROBABILITY, true),
                false);
        sum -= labels.mul(logP).sumNumber().doubleValue();
        count += labels.size(0);
    }

    @Override
    public void merge(CrossEntropyLoss other) {
        sum += other.sum;
        count += other.count;
    }

    @Override
    public void reset() {
        sum = 0;
        count = 0;
    }

    @Override
    public String stats() {
        return String.format("cross-entropy %.5f over %d examples", mean(), count);
    }

    @Override
    public double getValue(IMetric metric) {
        throw new UnsupportedOperationException("CrossEntropyLoss has no IMetric; use mean()");
    }

    @Override
    public CrossEntropyLoss newInstance() {
        return new CrossEntropyLoss();
    }
}
