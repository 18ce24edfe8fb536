package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.evaluation.IEvaluation;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * Top-1, top-5, per-class accuracy, confusion matrix and cross-entropy of a network over an RDD of minibatches,
 * computed on the executors in one pass. Top-5 counts ties against the example ({@link TopKAccuracy}).
 */
public final class DistributedEvaluation {

    private DistributedEvaluation() {
    }

    public static EpochMetrics.Eval run(SparkComputationGraph net, JavaRDD<DataSet> data, List<String> classNames,
                                        int batchPerWorker) {
        long t0 = System.nanoTime();
        IEvaluation<?>[] results = net.doEvaluation(data, batchPerWorker,
                new Evaluation(classNames, 1), new TopKAccuracy(Math.min(5, classNames.size())), new CrossEntropyLoss());
        Evaluation ev = (Evaluation) results[0];
        TopKAccuracy top5 = (TopKAccuracy) results[1];
        CrossEntropyLoss loss = (CrossEntropyLoss) results[2];
        int n = classNames.size();
        List<Double> perClass = new ArrayList<>();
        long[][] confusion = new long[n][n];
        for (int actual = 0; actual < n; actual++) {
            int total = ev.classCount(actual);
            perClass.add(total == 0 ? Double.NaN : (double) ev.getTruePositives().getCount(actual) / total);
            for (int predicted = 0; predicted < n; predicted++) {
                confusion[actual][predicted] = ev.getConfusionMatrix().getCount(actual, predicted);
            }
        }
        return new EpochMetrics.Eval(ev.accuracy(), top5.accuracy(), loss.mean(), ev.getNumRowCounter(), perClass,
                confusion, (System.nanoTime() - t0) / 1e9);
    }
}
