package org.resnetspark.cli;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.cifar.Cifar10Files;
import org.resnetspark.data.cifar.Cifar10TrainingInput;
import org.resnetspark.data.imagenet.ImageNetShards;
import org.resnetspark.data.imagenet.ImageNetTrainingInput;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.train.SyntheticInput;
import org.resnetspark.train.TrainingInput;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;

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

    @Option(names = "--on_bad_record", paramLabel = "fail|skip", defaultValue = "skip",
            description = "A corrupt record (truncated file, label out of range): fail the job naming the file and"
                    + " record, or skip it and count it (metrics.json: bad_records). Default: ${DEFAULT-VALUE}.")
    String onBadRecord;

    @Option(names = "--data_cache_dir", paramLabel = "DIR",
            description = "Where a --data_dir archive (cifar-10-binary.tar.gz) is extracted once and reused; any"
                    + " Hadoop filesystem, on a cluster one every executor can read (e.g. hdfs:///tmp/resnet-spark)."
                    + " Default: <java.io.tmpdir>/resnet-spark-cache.")
    String dataCacheDir;

    /** Checks the flags that need no Spark; throws {@link UsageException}. */
    void validate() {
        if (dataDir == null && !syntheticData) {
            throw new UsageException("--data_dir is required (or --use_synthetic_data)");
        }
        if (labelSmoothing < 0 || labelSmoothing >= 1) {
            throw new UsageException("--label_smoothing must be in [0, 1), got " + labelSmoothing);
        }
        badRecordPolicy();
    }

    BadRecordPolicy badRecordPolicy() {
        try {
            return BadRecordPolicy.parse(onBadRecord);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--on_bad_record: " + e.getMessage());
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
        Configuration conf = sc.hadoopConfiguration();
        if (Cifar10Files.looksLikeCifar10(dataDir, conf)) {
            return openCifar10(sc, spec, perWorker, workers, seed);
        }
        if (ImageNetShards.looksLikeImageNet(dataDir, conf)) {
            return openImageNet(sc, spec, perWorker, workers, seed);
        }
        throw new UsageException("--data_dir " + dataDir + ": " + (isEmptyOrMissing(dataDir, conf)
                ? "empty or does not exist" : "holds neither CIFAR-10 (data_batch_*.bin, test_batch.bin or"
                + " cifar-10-binary.tar.gz) nor ImageNet TFRecord shards (train-*, validation-*)"));
    }

    private TrainingInput openCifar10(JavaSparkContext sc, ResNetSpec spec, int perWorker, int workers, long seed) {
        if (spec.family() != DatasetFamily.CIFAR10 || spec.imageSize() != Cifar10Files.IMAGE_SIZE
                || spec.numClasses() != Cifar10Files.NUM_CLASSES) {
            throw new UsageException("--data_dir " + dataDir + " holds CIFAR-10 (10 classes, 32x32) but the network"
                    + " is " + spec + "; use --dataset cifar10 without --image_size/--num_classes");
        }
        InputSettings settings = new InputSettings(perWorker, workers, spec.format(), spec.numClasses(), seed,
                labelSmoothing, badRecordPolicy(), dataCacheDir);
        try {
            return Cifar10TrainingInput.open(sc, dataDir, settings);
        } catch (IOException e) {
            throw new UncheckedIOException("reading CIFAR-10 from " + dataDir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--data_dir " + dataDir + ": " + e.getMessage());
        }
    }

    /** ImageNet shards: {@code --image_size} pixels, labels 1..numClasses as classes 0..numClasses-1. */
    private TrainingInput openImageNet(JavaSparkContext sc, ResNetSpec spec, int perWorker, int workers,
                                       long seed) {
        if (spec.family() != DatasetFamily.IMAGENET) {
            throw new UsageException("--data_dir " + dataDir + " holds ImageNet TFRecord shards but the network is "
                    + spec + "; use --dataset imagenet");
        }
        InputSettings settings = new InputSettings(perWorker, workers, spec.format(), spec.numClasses(), seed,
                labelSmoothing, badRecordPolicy(), dataCacheDir);
        try {
            SparkSession spark = SparkSession.builder().config(sc.getConf()).getOrCreate();
            return ImageNetTrainingInput.open(spark, dataDir, settings, spec.imageSize());
        } catch (IOException e) {
            throw new UncheckedIOException("reading ImageNet shards from " + dataDir + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--data_dir " + dataDir + ": " + e.getMessage());
        }
    }

    private static boolean isEmptyOrMissing(String dir, Configuration conf) {
        try {
            Path p = new Path(dir);
            FileSystem fs = p.getFileSystem(conf);
            return !fs.exists(p) || (fs.getFileStatus(p).isDirectory() && fs.listStatus(p).length == 0);
        } catch (IOException | IllegalArgumentException e) {
            return true;
        }
    }

    /** The family the flags name, else the one --data_dir looks like. */
    DatasetFamily family(ModelOptions model) {
        boolean cifar = !syntheticData && dataDir != null && Cifar10Files.looksLikeCifar10(dataDir, new Configuration());
        return model.family(cifar ? DatasetFamily.CIFAR10 : DatasetFamily.IMAGENET);
    }
}
