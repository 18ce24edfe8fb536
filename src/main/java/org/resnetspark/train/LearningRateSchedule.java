package org.resnetspark.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.resnetspark.model.DatasetFamily;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

import java.util.Arrays;
import java.util.Objects;

/**
 * TensorFlow official ResNet's learning rate: {@code base * globalBatch / denominator}, piecewise constant by
 * epoch boundaries (TF's {@code piecewise_constant}: the value changes strictly after a boundary step), with an
 * optional linear warm-up from 0 over the first epochs.
 *
 * <p>Or, for runs on a budget ({@link #linear}), a linear warm-up followed by a linear decay to 0 at the end of the
 * run (Li et al., "Budgeted Training", ICLR 2020: linear decay beats step decay when epochs are few).
 *
 * <p>A pure function of the global step (one step = one global batch); {@link #valueAt(int, int)} ignores
 * DL4J's epoch counter, so the value depends only on the step the training loop sets, which is what makes it
 * identical across workers and across a resume.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public final class LearningRateSchedule implements ISchedule {

    private double initialRate;
    private double stepsPerEpoch;
    private double warmupEpochs;
    private double[] boundaryEpochs;
    private double[] multipliers;
    /** 0: piecewise constant; else the epoch at which the linear decay reaches 0 (absent in older checkpoints). */
    private double linearEndEpoch;

    /** For Jackson (DL4J serializes schedules inside the network configuration). */
    private LearningRateSchedule() {
    }

    /**
     * @param initialRate    learning rate after warm-up, before the first decay
     * @param stepsPerEpoch  global batches per epoch ({@code numImages / globalBatch}, may be fractional as TF's)
     * @param warmupEpochs   linear warm-up length in epochs (0 for none)
     * @param boundaryEpochs epochs after which the rate changes, ascending
     * @param multipliers    one more than boundaries: the factor of {@code initialRate} in each interval
     */
    public LearningRateSchedule(double initialRate, double stepsPerEpoch, double warmupEpochs,
                                double[] boundaryEpochs, double[] multipliers) {
        if (multipliers.length != boundaryEpochs.length + 1) {
            throw new IllegalArgumentException("need boundaries+1 multipliers: " + Arrays.toString(boundaryEpochs)
                    + " vs " + Arrays.toString(multipliers));
        }
        if (stepsPerEpoch <= 0) {
            throw new IllegalArgumentException("stepsPerEpoch must be > 0: " + stepsPerEpoch);
        }
        this.initialRate = initialRate;
        this.stepsPerEpoch = stepsPerEpoch;
        this.warmupEpochs = warmupEpochs;
        this.boundaryEpochs = boundaryEpochs.clone();
        this.multipliers = multipliers.clone();
    }

    /**
     * Linear warm-up from 0 to {@code peakRate} over {@code warmupEpochs}, then linear decay to 0 at
     * {@code endEpoch} (the run's last epoch); 0 after it.
     */
    public static LearningRateSchedule linear(double peakRate, double stepsPerEpoch, double warmupEpochs,
                                              double endEpoch) {
        if (!(endEpoch > warmupEpochs)) {
            throw new IllegalArgumentException("the decay must end after the warm-up: end epoch " + endEpoch
                    + ", warm-up " + warmupEpochs + " epochs");
        }
        LearningRateSchedule s = new LearningRateSchedule(peakRate, stepsPerEpoch, warmupEpochs, new double[0],
                new double[] {1});
        s.linearEndEpoch = endEpoch;
        return s;
    }

    /**
     * This schedule's peak rate and steps per epoch as a {@link #linear} schedule over a run of {@code epochs}
     * epochs: a linear warm-up over min(2, epochs/10) epochs, then a linear decay to 0 at the end of the run.
     */
    public LearningRateSchedule linearOver(int epochs) {
        return linear(initialRate, stepsPerEpoch, Math.min(2, epochs / 10.0), epochs);
    }

    private LearningRateSchedule withInitialRate(double rate) {
        LearningRateSchedule s = new LearningRateSchedule(rate, stepsPerEpoch, warmupEpochs, boundaryEpochs,
                multipliers);
        s.linearEndEpoch = linearEndEpoch;
        return s;
    }

    /** CIFAR-10: 0.1 x batch/128, x[1, 0.1, 0.01, 0.001] after epochs [91, 136, 182], no warm-up. */
    public static LearningRateSchedule cifar10(int globalBatch, long numImages) {
        return cifar10(globalBatch, numImages, 0.1);
    }

    /** {@link #cifar10(int, long)} with {@code baseRate} instead of 0.1 for a batch of 128. */
    public static LearningRateSchedule cifar10(int globalBatch, long numImages, double baseRate) {
        return new LearningRateSchedule(baseRate * globalBatch / 128.0, (double) numImages / globalBatch, 0,
                new double[] {91, 136, 182}, new double[] {1, 0.1, 0.01, 0.001});
    }

    /**
     * ImageNet: 0.128 x batch/256 with a 5-epoch linear warm-up, x[1, 0.1, 0.01, 1e-3, 1e-4] after epochs
     * [30, 60, 80, 90]; when fine-tuning 0.1 x batch/256 and no warm-up.
     */
    public static LearningRateSchedule imagenet(int globalBatch, long numImages, boolean fineTune) {
        return imagenet(globalBatch, numImages, fineTune, fineTune ? 0.1 : 0.128);
    }

    /** {@link #imagenet(int, long, boolean)} with {@code baseRate} for a batch of 256. */
    public static LearningRateSchedule imagenet(int globalBatch, long numImages, boolean fineTune, double baseRate) {
        return new LearningRateSchedule(baseRate * globalBatch / 256.0, (double) numImages / globalBatch,
                fineTune ? 0 : 5, new double[] {30, 60, 80, 90}, new double[] {1, 0.1, 0.01, 1e-3, 1e-4});
    }

    /**
     * The schedule a training run asks for, as the {@code train} command's flags and the estimator's Params
     * describe it: the family's TensorFlow schedule ({@link #cifar10} or {@link #imagenet}), at {@code baseRate}
     * per batch of 128 (CIFAR-10) or 256 (ImageNet) when it is not NaN, as {@link #linearOver} the run's
     * {@code epochs} when {@code linear}, and with a warm-up of {@code warmupEpochs} when it is not NaN.
     *
     * @throws IllegalArgumentException if the warm-up is negative or, with {@code linear}, not shorter than the run
     */
    public static LearningRateSchedule forRun(DatasetFamily family, int globalBatch, long numImages,
                                              boolean fineTune, double baseRate, boolean linear, int epochs,
                                              double warmupEpochs) {
        boolean base = !Double.isNaN(baseRate);
        LearningRateSchedule s;
        if (family == DatasetFamily.CIFAR10) {
            s = base ? cifar10(globalBatch, numImages, baseRate) : cifar10(globalBatch, numImages);
        } else {
            s = base ? imagenet(globalBatch, numImages, fineTune, baseRate)
                    : imagenet(globalBatch, numImages, fineTune);
        }
        if (linear) {
            s = s.linearOver(epochs);
        }
        return Double.isNaN(warmupEpochs) ? s : s.withWarmup(warmupEpochs);
    }

    /**
     * This schedule with a linear warm-up from 0 over {@code epochs} epochs instead of its own.
     *
     * @throws IllegalArgumentException if {@code epochs} is negative, or a linear decay would not end after it
     */
    public LearningRateSchedule withWarmup(double epochs) {
        if (!(epochs >= 0)) {
            throw new IllegalArgumentException("warm-up of " + epochs + " epochs: expected >= 0");
        }
        if (linearEndEpoch > 0) {
            return linear(initialRate, stepsPerEpoch, epochs, linearEndEpoch);
        }
        return new LearningRateSchedule(initialRate, stepsPerEpoch, epochs, boundaryEpochs, multipliers);
    }

    /** The learning rate at a global step. */
    public double rate(long globalStep) {
        long warmupSteps = (long) (stepsPerEpoch * warmupEpochs);
        if (globalStep < warmupSteps) {
            return initialRate * globalStep / warmupSteps;
        }
        if (linearEndEpoch > 0) {
            double endStep = stepsPerEpoch * linearEndEpoch;
            return initialRate * Math.max(0, (endStep - globalStep) / (endStep - warmupSteps));
        }
        int interval = 0;
        while (interval < boundaryEpochs.length && globalStep > (long) (stepsPerEpoch * boundaryEpochs[interval])) {
            interval++;
        }
        return initialRate * multipliers[interval];
    }

    /** The learning rate at the first step of an epoch (0-based). */
    public double rateAtEpoch(int epoch) {
        return rate(firstStepOfEpoch(epoch));
    }

    /** Global step at which a 0-based epoch starts. */
    public long firstStepOfEpoch(int epoch) {
        return (long) Math.ceil(epoch * stepsPerEpoch);
    }

    public double stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public double initialRate() {
        return initialRate;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return rate(iteration);
    }

    @Override
    public ISchedule clone() {
        return withInitialRate(initialRate);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearningRateSchedule s && s.initialRate == initialRate
                && s.stepsPerEpoch == stepsPerEpoch && s.warmupEpochs == warmupEpochs
                && Arrays.equals(s.boundaryEpochs, boundaryEpochs) && Arrays.equals(s.multipliers, multipliers)
                && s.linearEndEpoch == linearEndEpoch;
    }

    @Override
    public int hashCode() {
        return Objects.hash(initialRate, stepsPerEpoch, warmupEpochs, Arrays.hashCode(boundaryEpochs),
                Arrays.hashCode(multipliers), linearEndEpoch);
    }

    @Override
    public String toString() {
        if (linearEndEpoch > 0) {
            return String.format("lr %.4g, %.1f steps/epoch, linear warm-up %.1f epochs, linear decay to 0 at epoch"
                    + " %.1f", initialRate, stepsPerEpoch, warmupEpochs, linearEndEpoch);
        }
        return String.format("lr %.4g, %.1f steps/epoch, warm-up %.1f epochs, x%s after epochs %s", initialRate,
                stepsPerEpoch, warmupEpochs, Arrays.toString(multipliers), Arrays.toString(boundaryEpochs));
    }
}
