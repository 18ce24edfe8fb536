package org.resnetspark.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingHook;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Gives each worker's copy of the network the driver's global step, so that a learning-rate schedule (a function
 * of DL4J's iteration count) sees the true step on the executors.
 *
 * <p>Why: DL4J's {@code ParameterAveragingTrainingWorker} builds its network from
 * {@code ComputationGraphConfiguration.clone()}, which drops the iteration and epoch counts. Every averaging round
 * therefore trained at the schedule's steps 0, 1, ... again: a warm-up never ended (the rate stayed near 0) and
 * decays never happened. The driver calls {@link #startAt} before each {@code fit}; Spark serializes this hook into
 * that fit's tasks, and {@link #preUpdate} moves a fresh worker network up to the step before its first update.
 */
public final class WorkerStepSync implements TrainingHook {

    private int iteration;
    private int epoch;

    /** The counts the next {@code fit}'s workers start from: the driver network's current ones. */
    public void startAt(ComputationGraphConfiguration driver) {
        this.iteration = driver.getIterationCount();
        this.epoch = driver.getEpochCount();
    }

    @Override
    public void preUpdate(DataSet minibatch, Model model) {
        sync(model);
    }

    @Override
    public void preUpdate(MultiDataSet minibatch, Model model) {
        sync(model);
    }

    @Override
    public void postUpdate(DataSet minibatch, Model model) {
    }

    @Override
    public void postUpdate(MultiDataSet minibatch, Model model) {
    }

    /** Only moves counts forward: a worker network already past the start (its later minibatches) keeps counting. */
    private void sync(Model model) {
        if (model instanceof ComputationGraph g && g.getConfiguration().getIterationCount() < iteration) {
            g.getConfiguration().setIterationCount(iteration);
            g.getConfiguration().setEpochCount(epoch);
        }
    }
}
