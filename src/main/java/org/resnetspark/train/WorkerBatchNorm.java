package org.resnetspark.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.resnetspark.backend.BatchNormHelpers;

import java.io.Serializable;

/**
 * Puts our batch-norm helper ({@link BatchNormHelpers#install}) into the networks DL4J builds on the executors to
 * train, since DL4J builds them itself from the broadcast configuration and parameters.
 *
 * <p>Two entry points, one per training master. Parameter averaging builds a fresh network for every averaging
 * round: as a {@link TrainingHook} this runs before each minibatch, so every minibatch uses the helper. Gradient
 * sharing takes no hooks but keeps one network per executor across tasks and calls its listeners: as a listener
 * this runs after each iteration, so only the executor's first minibatch runs on DL4J's own helper.
 */
final class WorkerBatchNorm extends BaseTrainingListener implements TrainingHook, Serializable {

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        BatchNormHelpers.install(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        BatchNormHelpers.install(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        BatchNormHelpers.install(model);
    }
}
