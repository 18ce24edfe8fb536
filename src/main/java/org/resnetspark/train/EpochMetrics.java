package org.resnetspark.train;

import java.util.List;

/**
 * What one training epoch did.
 *
 * @param epoch        1-based number of epochs done
 * @param globalStep   global steps done at the end of the epoch
 * @param learningRate learning rate at the epoch's first step
 * @param trainLoss    average minibatch loss reported by the training master
 * @param images       training images seen in the epoch
 * @param seconds      wall time of the epoch's training (without evaluation)
 * @param badRecords   corrupt input records skipped so far in the run
 * @param eval         evaluation after this epoch, or null when none ran
 * @param inputSeconds part of {@code seconds} spent preparing minibatches (decode, augment) while no worker trained
 */
public record EpochMetrics(int epoch, long globalStep, double learningRate, double trainLoss, long images,
                           double seconds, long badRecords, Eval eval, double inputSeconds) {

    /** An epoch whose input time was not measured (0). */
    public EpochMetrics(int epoch, long globalStep, double learningRate, double trainLoss, long images,
                        double seconds, long badRecords, Eval eval) {
        this(epoch, globalStep, learningRate, trainLoss, images, seconds, badRecords, eval, 0);
    }

    /** Fraction of the training time the workers waited for input. */
    public double inputWaitFraction() {
        return seconds > 0 ? inputSeconds / seconds : 0;
    }

    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    /**
     * Evaluation results.
     *
     * @param top1          top-1 accuracy
     * @param top5          top-5 accuracy
     * @param loss          mean cross-entropy of the evaluation set
     * @param examples      examples evaluated
     * @param perClassTop1  top-1 accuracy (recall) of each class
     * @param confusion     counts[actual][predicted]
     * @param seconds       wall time of the evaluation
     */
    public record Eval(double top1, double top5, double loss, long examples, List<Double> perClassTop1,
                       long[][] confusion, double seconds) { }
}
