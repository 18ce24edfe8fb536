package org.resnetspark.train;

import org.nd4j.evaluation.BaseEvaluation;
import org.nd4j.evaluation.IMetric;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.List;

/**
 * Top-k accuracy over all evaluated examples, mergeable across Spark partitions.
 *
 * <p>An example counts as correct when fewer than {@code k} classes other than its label have a probability
 * greater than <em>or equal to</em> the label's. Ties count against the example. DL4J's {@code Evaluation} counts
 * only strictly greater ones. When the softmax saturates (an untrained ImageNet network whose batch-norm moving
 * averages have not caught up yet), most classes have a probability of exactly 0. The label then ties with
 * hundreds of classes, and DL4J reported a top-5 of 100% next to a top-1 of 0% (measured on a 4-epoch ResNet-50
 * run). TensorFlow's official model applies {@code in_top_k} to the logits, where such ties do not occur.
 */
public final class TopKAccuracy extends BaseEvaluation<TopKAccuracy> {

    private final int k;
    private long correct;
    private long count;

    /** @param k how many of the highest-probability classes may hold the label (>= 1) */
    public TopKAccuracy(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k " + k + ": expected >= 1");
        }
        this.k = k;
    }

    /** Fraction of examples whose label is among the top k, NaN before any example. */
    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    public long count() {
        return count;
    }

    @Override
    public void eval(INDArray labels, INDArray predictions, INDArray mask, List<? extends Serializable> meta) {
        if (mask != null) {
            throw new IllegalArgumentException("masked outputs are not expected from an image classifier");
        }
        int[] label = labels.argMax(1).toIntVector();
        float[][] probabilities = predictions.castTo(DataType.FLOAT).toFloatMatrix();
        for (int r = 0; r < label.length; r++) {
            float[] row = probabilities[r];
            int y = label[r];
            int atLeastAsLikely = 0;
            for (int c = 0; c < row.length && atLeastAsLikely < k; c++) {
                if (c != y && row[c] >= row[y]) {
                    atLeastAsLikely++;
                }
            }
            if (atLeastAsLikely < k) {
                correct++;
            }
        }
        count += label.length;
    }

    @Override
    public void merge(TopKAccuracy other) {
        if (other.k != k) {
            throw new IllegalArgumentException("cannot merge top-" + other.k + " into top-" + k);
        }
        correct += other.correct;
        count += other.count;
    }

    @Override
    public void reset() {
        correct = 0;
        count = 0;
    }

    @Override
    public String stats() {
        return String.format("top-%d accuracy %.5f over %d examples", k, accuracy(), count);
    }

    @Override
    public double getValue(IMetric metric) {
        throw new UnsupportedOperationException("TopKAccuracy has no IMetric; use accuracy()");
    }

    @Override
    public TopKAccuracy newInstance() {
        return new TopKAccuracy(k);
    }
}
