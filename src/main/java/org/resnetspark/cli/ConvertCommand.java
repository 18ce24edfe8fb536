package org.resnetspark.cli;

import org.apache.spark.api.java.JavaSparkContext;
import org.resnetspark.data.imagenet.convert.ConvertSettings;
import org.resnetspark.data.imagenet.convert.ImageNetConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code convert}: raw ImageNet to TFRecord shards, as TensorFlow's {@code build_imagenet_data.py}. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert raw ImageNet (train/<synset>/*.JPEG, validation/) to TFRecord shards with the keys"
                + " of TensorFlow's build_imagenet_data.py (train-00000-of-01024, validation-00000-of-00128), as a"
                + " Spark job. PNG and CMYK inputs are re-encoded as RGB JPEG.")
public final class ConvertCommand implements Callable<Integer> {

    @Option(names = "--input_dir", paramLabel = "DIR", required = true,
            description = "Raw layout: train/<synset>/<images> and validation/ (flat with --validation_labels_file,"
                    + " or validation/<synset>/); any Hadoop filesystem.")
    String inputDir;

    @Option(names = "--output_dir", paramLabel = "DIR", required = true,
            description = "Where the shards go; must not already hold train-* or validation-* files.")
    String outputDir;

    @Option(names = "--labels_file", paramLabel = "FILE",
            description = "Synset list, one per line (e.g. imagenet_lsvrc_2015_synsets.txt); label = line number."
                    + " Default: the sorted train/ subdirectories.")
    String labelsFile;

    @Option(names = "--validation_labels_file", paramLabel = "FILE",
            description = "One synset per line for the flat validation files in sorted name order. Default: <input_dir>/"
                    + ConvertSettings.VALIDATION_LABELS_NAME + ".")
    String validationLabelsFile;

    @Option(names = "--metadata_file", paramLabel = "FILE",
            description = "<synset><TAB><text> lines for image/class/text. Default: <input_dir>/"
                    + ConvertSettings.METADATA_NAME + " if present, else the synset.")
    String metadataFile;

    @Option(names = "--bbox_csv", paramLabel = "FILE",
            description = "Bounding boxes, file,xmin,ymin,xmax,ymax (normalized), as process_bounding_boxes.py writes.")
    String bboxCsv;

    @Option(names = "--train_shards", paramLabel = "N", defaultValue = "1024",
            description = "Default: ${DEFAULT-VALUE}.")
    int trainShards;

    @Option(names = "--validation_shards", paramLabel = "N", defaultValue = "128",
            description = "Default: ${DEFAULT-VALUE}.")
    int validationShards;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "12345",
            description = "Seed of the shuffle of each split. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ConvertSettings settings;
        try {
            settings = new ConvertSettings(inputDir, outputDir, labelsFile, validationLabelsFile, metadataFile,
                    bboxCsv, trainShards, validationShards, seed);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--train_shards/--validation_shards: " + e.getMessage());
        }
        try (SparkSessions.Job job = SparkSessions.open("resnet-spark convert")) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(job.spark().sparkContext());
            ImageNetConverter.Result r;
            try {
                r = ImageNetConverter.run(sc, settings);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            spec.commandLine().getOut().printf("converted %d training and %d validation images into %d shards in %s"
                    + " (%d re-encoded as RGB JPEG)%n", r.trainImages(), r.validationImages(), r.shards().size(),
                    outputDir, r.reencoded());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
