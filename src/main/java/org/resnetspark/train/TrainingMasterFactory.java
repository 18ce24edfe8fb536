package org.resnetspark.train;

import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * The only place that constructs DL4J's training masters (their builders have traps: the default
 * {@code RDDTrainingApproach.Export} writes every minibatch to disk; {@code unicastPort} is ignored).
 * Both masters stream minibatches straight from the RDD ({@link RDDTrainingApproach#Direct}) and save the
 * updater state, so momentum survives the averaging rounds.
 */
public final class TrainingMasterFactory {

    /**
     * How both masters cache their copy of a fit's minibatches: serialized, because ND4J arrays keep their values
     * outside the Java heap, where Spark's memory accounting would not see them.
     */
    static final StorageLevel STORAGE_LEVEL = StorageLevel.MEMORY_ONLY_SER();

    private TrainingMasterFactory() {
    }

    /** A training master that is not used to train (evaluation only): no global step to carry to workers. */
    public static TrainingMaster<?, ?> create(DistributionSettings s, String driverHost) {
        return create(s, driverHost, new WorkerStepSync());
    }

    /**
     * A training master for minibatch RDDs whose DataSets hold {@code s.batchPerWorker()} examples.
     *
     * @param driverHost address executors use to reach the driver (gradient sharing only)
     * @param stepSync   carries the global step to the averaging workers; call its {@code startAt} before each
     *                   {@code fit}. Gradient sharing does not need it (its workers use the broadcast configuration
     *                   as is, counts included) and DL4J would not pass it on.
     */
    public static TrainingMaster<?, ?> create(DistributionSettings s, String driverHost, WorkerStepSync stepSync) {
        return switch (s.master()) {
            case AVERAGING -> averaging(s, stepSync);
            case SHARING -> {
                VoidConfiguration voidConf = VoidConfiguration.builder()
                        .controllerAddress(driverHost)
                        .unicastPort(s.controllerPort())
                        .portSupplier(new AeronPortSupplier(s.controllerPort()))
                        .build();
                ThresholdAlgorithm threshold = s.adaptiveThreshold()
                        ? new AdaptiveThresholdAlgorithm(s.threshold())
                        : new FixedThresholdAlgorithm(s.threshold());
                yield new SharedTrainingMaster.Builder(voidConf, s.numWorkers(), threshold, s.batchPerWorker())
                        .batchSizePerWorker(s.batchPerWorker())
                        .workersPerNode(s.workersPerExecutor())
                        .workerPrefetchNumBatches(2)
                        .rddTrainingApproach(RDDTrainingApproach.Direct)
                        .storageLevel(STORAGE_LEVEL)
                        .rngSeed(s.seed())
                        .build();
            }
        };
    }

    private static TrainingMaster<?, ?> averaging(DistributionSettings s, WorkerStepSync stepSync) {
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(s.numWorkers(),
                s.batchPerWorker())
                .batchSizePerWorker(s.batchPerWorker())
                .averagingFrequency(s.averagingFrequency())
                .workerPrefetchNumBatches(2)
                .saveUpdater(true)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                // the Trainer hands over one round, already one equal partition per worker (EpochRounds); DL4J's
                // default repartitions every round through a shuffle
                .repartionData(Repartition.Never)
                .storageLevel(STORAGE_LEVEL)
                .rngSeed(s.seed())
                .build();
        tm.addHook(stepSync);
        tm.addHook(new WorkerBatchNorm());
        return tm;
    }
}
