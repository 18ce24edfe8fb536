package org.resnetspark.train;

import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;

/**
 * A training run's settings, validated by the CLI.
 *
 * @param spec               the architecture
 * @param globalBatch        examples per global step, over all workers
 * @param trainEpochs        epochs to train in total (a resume continues up to this)
 * @param epochsBetweenEvals evaluate (and checkpoint) every this many epochs, and after the last
 * @param maxTrainSteps      stop after this many global steps (0 = no limit)
 * @param stopThreshold      stop once top-1 accuracy reaches this (NaN = never)
 * @param weightDecay        L2 on conv and dense weights
 * @param momentum           heavy-ball momentum
 * @param schedule           learning rate per global step
 * @param distribution       training master and workers
 * @param seed               weight initialization and data order seed
 * @param keepCheckpoints    checkpoints kept in the model directory
 * @param batchNormDecay     decay of batch norm's moving averages (TensorFlow: 0.997)
 * @param nesterov           Nesterov's variant of the momentum step
 * @param zeroInitResidual   residual branches' last batch norm starts with gamma 0
 */
public record TrainSettings(ResNetSpec spec, int globalBatch, int trainEpochs, int epochsBetweenEvals,
                            long maxTrainSteps, double stopThreshold, double weightDecay, double momentum,
                            LearningRateSchedule schedule, DistributionSettings distribution, long seed,
                            int keepCheckpoints, double batchNormDecay, boolean nesterov, boolean zeroInitResidual) {

    /** Settings with heavy-ball momentum and batch norm's gamma starting at 1 everywhere, as TensorFlow's. */
    public TrainSettings(ResNetSpec spec, int globalBatch, int trainEpochs, int epochsBetweenEvals,
                         long maxTrainSteps, double stopThreshold, double weightDecay, double momentum,
                         LearningRateSchedule schedule, DistributionSettings distribution, long seed,
                         int keepCheckpoints, double batchNormDecay) {
        this(spec, globalBatch, trainEpochs, epochsBetweenEvals, maxTrainSteps, stopThreshold, weightDecay, momentum,
                schedule, distribution, seed, keepCheckpoints, batchNormDecay, false, false);
    }

    /** Settings with TensorFlow's batch norm decay (0.997), heavy-ball momentum and gamma starting at 1. */
    public TrainSettings(ResNetSpec spec, int globalBatch, int trainEpochs, int epochsBetweenEvals,
                         long maxTrainSteps, double stopThreshold, double weightDecay, double momentum,
                         LearningRateSchedule schedule, DistributionSettings distribution, long seed,
                         int keepCheckpoints) {
        this(spec, globalBatch, trainEpochs, epochsBetweenEvals, maxTrainSteps, stopThreshold, weightDecay, momentum,
                schedule, distribution, seed, keepCheckpoints, ResNetBuilder.BN_DECAY);
    }
}
