package org.resnetspark.train;

/**
 * How training is spread over the cluster.
 *
 * @param master             parameter averaging or gradient sharing
 * @param numWorkers         total workers (executors x workers per executor)
 * @param workersPerExecutor workers (threads, or GPUs) in each executor JVM
 * @param batchPerWorker     global batch / numWorkers
 * @param averagingFrequency minibatches between parameter averaging rounds
 * @param threshold          gradient sharing: initial encoding threshold
 * @param adaptiveThreshold  gradient sharing: adapt the threshold to keep sparsity in range (DL4J's default)
 * @param controllerPort     gradient sharing: Aeron UDP port of the driver
 * @param seed               seed of DL4J's data splitting
 */
public record DistributionSettings(TrainingMasterKind master, int numWorkers, int workersPerExecutor,
                                   int batchPerWorker, int averagingFrequency, double threshold,
                                   boolean adaptiveThreshold, int controllerPort, long seed) {

    /** The two DL4J training masters. */
    public enum TrainingMasterKind {
        AVERAGING, SHARING;

        /**
         * Whether DL4J's workers call our listeners per minibatch (so the driver counts the minibatches trained)
         * and report their mean score on the Spark network: the averaging master's do; gradient sharing reports
         * only its executors' last-minibatch scores, on the network itself.
         */
        public boolean reportsMinibatches() {
            return this == AVERAGING;
        }

        /** Parses {@code --training_master}; throws naming the accepted values. */
        public static TrainingMasterKind parse(String value) {
            return switch (value.trim().toLowerCase()) {
                case "averaging", "parameter_averaging" -> AVERAGING;
                case "sharing", "gradient_sharing" -> SHARING;
                default -> throw new IllegalArgumentException("Invalid training_master '" + value
                        + "': expected averaging or sharing");
            };
        }
    }
}
