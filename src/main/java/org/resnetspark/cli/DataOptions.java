package org.resnetspark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.train.SyntheticInput;
import org.resnetspark.train.TrainingInput;
import picocli.CommandLine.Option;

/** Where the images come from; shared by the commands that read a dataset (train, evaluate). */
public final class DataOptions {

    @Option(names = "--data_dir", paramLabel = "DIR",
            description = "ImageNet TFRecord shards (train-*, validation-*) or CIFAR-10 binaries"
                    + " (cifar-10-batches-bin/ or its .tar.gz), on any Hadoop filesystem (hdfs://, file://).")
    String dataDir;

    @Option(names = "--use_synthetic_data", description = "Random images instead of --data_dir (measures training"
            + " without input cost).")
    boolean syntheticData;

    @Option(names = "--synthetic_images", paramLabel = "N", defaultValue = "1024",
            description = "Images per epoch with --use_synthetic_data. Default: ${DEFAULT-VALUE}.")
    long syntheticImages;

    @Option(names = "--label_smoothing", paramLabel = "EPS", defaultValue = "0",
            description = "Label smoothing epsilon for training labels. Default: ${DEFAULT-VALUE}.")
    double labelSmoothing;

    /** Checks the flags that need no Spark; throws {@link UsageException}. */
    void validate() {
        if (dataDir == null && !syntheticData) {
            throw new UsageException("--data_dir is required (or --use_synthetic_data)");
        }
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new UsageException("--label_smoothing must be in [0, 1), got " + labelSmoothing);
        }
    }

    /** What {@code metrics.json} records as the data source. */
    String describe() {
        return syntheticData ? "synthetic" : dataDir;
    }

    /**
     * The dataset as minibatches of {@code perWorker} examples spread over {@code workers} partitions.
     *
     * @throws UsageException when the data directory does not hold the expected files
     */
    TrainingInput open(JavaSparkContext sc, ResNetSpec spec, int perWorker, int workers, long seed) {
        if (syntheticData) {
            return new SyntheticInput(sc, perWorker, workers, syntheticImages, spec.imageSize(), spec.numClasses(),
                    spec.format(), seed);
        }
        throw new UsageException("--data_dir " + dataDir + ": reading " + spec.family() + " data is not available"
                + " in this build yet; use --use_synthetic_data");
    }

    /** The family the flags name, else the one --data_dir looks like. */
    DatasetFamily family(ModelOptions model) {
        return model.family(DatasetFamily.IMAGENET);
    }
}
