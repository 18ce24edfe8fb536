package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

/** Top-1, top-5 and per-class accuracy of a network over an RDD of minibatches, computed on the executors. */
public final class DistributedEvaluation {

    private DistributedEvaluation() {
    }

    public static EpochMetrics.Eval run(SparkComputationGraph net, JavaRDD<DataSet> data, List<String> classNames,
                                        int batchPerWorker) {
        long t0 = System.nanoTime();
        Evaluation ev = net.doEvaluation(data, new Evaluation(classNames, Math.min(5, classNames.size())),
                batchPerWorker);
        List<Double> perClass = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            int total = ev.classCount(c);
            perClass.add(total == 0 ? Double.NaN : (double) ev.getTruePositives().getCount(c) / total);
        }
        return new EpochMetrics.Eval(ev.accuracy(), ev.topNAccuracy(), ev.getNumRowCounter(), perClass,
                (System.nanoTime() - t0) / 1e9);
    }
}
