package org.resnetspark.train;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fails a gradient-sharing run fast when an executor is lost. DL4J's gradient sharing has no recovery: its Aeron
 * mesh keeps the dead peer, and a later {@code fit} can wait for it forever (seen in
 * {@code DistributedTrainingTest}: a sharing run started after an executor's death stalled in its third epoch). So
 * from the first lost executor on, the guard cancels the training jobs ({@link #JOB_GROUP}) and
 * {@link #check} turns the cancellation into an {@link ExecutorLostException} naming the executor; the checkpoint
 * of the last finished epoch stays the latest, and rerunning the command (a new application) resumes from it.
 */
final class ExecutorLossGuard extends SparkListener implements AutoCloseable {

    /** Job group of the training jobs the guard cancels. */
    static final String JOB_GROUP = "resnet-spark-training";
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorLossGuard.class);

    private final SparkContext sc;
    private volatile String lost;

    ExecutorLossGuard(SparkContext sc) {
        this.sc = sc;
        sc.addSparkListener(this);
    }

    @Override
    public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
        if (lost == null) {
            lost = "executor " + removed.executorId() + " (" + removed.reason() + ")";
            LOG.error("gradient sharing lost {}: cancelling training", lost);
        }
        sc.cancelJobGroup(JOB_GROUP);
    }

    /**
     * Throws when an executor was lost since the run started (during {@code epoch}, or before it); otherwise
     * rethrows {@code failure} if there is one.
     */
    void check(int epoch, String modelDir, RuntimeException failure) {
        if (lost != null) {
            if (failure != null) {
                LOG.debug("training job ended after the executor loss", failure);
            }
            throw new ExecutorLostException("gradient sharing lost " + lost + " in epoch " + epoch
                    + "; DL4J's gradient sharing cannot continue without it, so training stopped. The latest"
                    + " checkpoint in " + modelDir + " holds the last finished epoch: rerun the same command to"
                    + " resume");
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }

    /** An executor was lost under gradient sharing; the model directory's latest checkpoint is intact. */
    public static final class ExecutorLostException extends RuntimeException {
        ExecutorLostException(String message) {
            super(message);
        }
    }
}
