package org.resnetspark.train;

import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Logs a progress line at a steady interval while an epoch trains: epoch, step/total, images/s, the previous
 * epoch's loss, learning rate and ETA. Reads only driver-side state (an accumulator), so it never slows
 * training down; a line is skipped when nothing changed since the last one.
 */
final class ProgressReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final LongAccumulator minibatches;
    private final int workers;
    private final int batchPerWorker;
    private final LearningRateSchedule schedule;
    private final ScheduledExecutorService timer;
    private volatile Epoch current;
    private long lastLogged = -1;

    /** What the line describes: the epoch running now. */
    record Epoch(int epoch, int epochs, long firstStep, long steps, long runSteps, double lastLoss,
                 long startBatches, long startNanos) { }

    /** @param schedule gives the learning rate at the step reached (it changes within an epoch during warm-up) */
    ProgressReporter(LongAccumulator minibatches, int workers, int batchPerWorker, LearningRateSchedule schedule,
                     Duration interval) {
        this.minibatches = minibatches;
        this.workers = workers;
        this.batchPerWorker = batchPerWorker;
        this.schedule = schedule;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "resnet-spark-progress");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        timer.scheduleAtFixedRate(this::log, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts describing an epoch of {@code steps} global steps beginning at global step {@code firstStep}. */
    void startEpoch(int epoch, int epochs, long firstStep, long steps, long runSteps, double lastLoss) {
        current = new Epoch(epoch, epochs, firstStep, steps, runSteps, lastLoss, minibatches.value(),
                System.nanoTime());
    }

    /** The line for the current epoch, or null before the first epoch. */
    String line() {
        Epoch e = current;
        if (e == null) {
            return null;
        }
        long batches = minibatches.value() - e.startBatches();
        long stepsDone = Math.min(e.steps(), batches / Math.max(1, workers));
        double seconds = (System.nanoTime() - e.startNanos()) / 1e9;
        double imagesPerSec = seconds > 0 ? batches * (double) batchPerWorker / seconds : 0;
        double stepsPerSec = seconds > 0 ? stepsDone / seconds : 0;
        long runLeft = e.runSteps() - e.firstStep() - stepsDone;
        return String.format("epoch %d/%d: step %d/%d (global %d/%d), %.1f img/s, lr %.4g, last loss %s, ETA epoch %s,"
                        + " run %s", e.epoch(), e.epochs(), stepsDone, e.steps(), e.firstStep() + stepsDone,
                e.runSteps(), imagesPerSec, schedule.rate(e.firstStep() + stepsDone), Double.isNaN(e.lastLoss()) ? "-" : String.format("%.4f",
                        e.lastLoss()), eta(e.steps() - stepsDone, stepsPerSec), eta(runLeft, stepsPerSec));
    }

    private void log() {
        try {
            long now = minibatches.value();
            String line = line();
            if (line != null && now != lastLogged) {
                lastLogged = now;
                LOG.info(line);
            }
        } catch (RuntimeException e) {
            LOG.debug("progress line failed", e);
        }
    }

    static String eta(long stepsLeft, double stepsPerSec) {
        if (stepsLeft <= 0) {
            return "0s";
        }
        if (stepsPerSec <= 0) {
            return "?";
        }
        long s = Math.round(stepsLeft / stepsPerSec);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s % 3600 / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
