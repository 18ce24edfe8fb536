package org.resnetspark.cli;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import picocli.CommandLine.Option;

/** The flags that fix a network's architecture, shared by every subcommand that builds one. */
public final class ModelOptions {

    @Option(names = "--dataset", paramLabel = "imagenet|cifar10",
            description = "Network family: imagenet (224x224, 7x7 stem, sizes 18/34/50/101/152/200) or cifar10"
                    + " (32x32, sizes 6n+2). Default: imagenet, or detected from --data_dir where there is one.")
    String dataset;

    @Option(names = "--resnet_size", paramLabel = "N",
            description = "Depth: 18, 34, 50, 101, 152, 200 (imagenet) or 6n+2 (cifar10). "
                    + "Default: 50 (imagenet), 56 (cifar10).")
    Integer resnetSize;

    @Option(names = "--resnet_version", paramLabel = "V", defaultValue = "1",
            description = "1 (alias 1.5): v1.5, stride on the bottleneck's 3x3 conv; 2: pre-activation;"
                    + " 1_original: the paper's v1, stride on the first 1x1 conv. Default: ${DEFAULT-VALUE}.")
    String resnetVersion;

    @Option(names = "--num_classes", paramLabel = "K",
            description = "Number of output classes. Default: 1000 (imagenet), 10 (cifar10).")
    Integer numClasses;

    @Option(names = "--image_size", paramLabel = "PIXELS",
            description = "Input height = width. Default: 224 (imagenet), 32 (cifar10).")
    Integer imageSize;

    @Option(names = "--data_format", paramLabel = "channels_first|channels_last", defaultValue = "channels_first",
            description = "Tensor layout: channels_first (NCHW, fastest on CPU with DL4J) or channels_last"
                    + " (NHWC). Default: ${DEFAULT-VALUE}.")
    String dataFormat;

    @Option(names = "--dtype", paramLabel = "fp32|fp16", defaultValue = "fp32",
            description = "Network data type. Default: ${DEFAULT-VALUE}.")
    String dtype;

    /** The family from --dataset, or {@code fallback} when the flag is absent. */
    public DatasetFamily family(DatasetFamily fallback) {
        if (dataset == null) {
            return fallback;
        }
        try {
            return DatasetFamily.parse(dataset);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--dataset: " + e.getMessage());
        }
    }

    /**
     * The validated architecture.
     *
     * @throws UsageException naming the flag and the accepted values
     */
    public ResNetSpec spec(DatasetFamily family) {
        int size = resnetSize != null ? resnetSize : (family == DatasetFamily.IMAGENET ? 50 : 56);
        ResNetVersion version;
        try {
            version = ResNetVersion.parse(resnetVersion);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--resnet_version: " + e.getMessage());
        }
        CNN2DFormat format = switch (dataFormat) {
            case "channels_first", "NCHW", "nchw" -> CNN2DFormat.NCHW;
            case "channels_last", "NHWC", "nhwc" -> CNN2DFormat.NHWC;
            default -> throw new UsageException("--data_format: invalid value '" + dataFormat
                    + "': expected channels_first or channels_last");
        };
        DataType type = switch (dtype) {
            case "fp32", "float32" -> DataType.FLOAT;
            case "fp16", "float16" -> DataType.HALF;
            default -> throw new UsageException("--dtype: invalid value '" + dtype + "': expected fp32 or fp16");
        };
        int classes = numClasses != null ? numClasses : family.defaultNumClasses();
        int pixels = imageSize != null ? imageSize : family.defaultImageSize();
        try {
            return new ResNetSpec(family, size, version, classes, pixels, format, type);
        } catch (IllegalArgumentException e) {
            String msg = e.getMessage();
            String flag = msg.contains("resnet_size") ? "--resnet_size" : msg.contains("num_classes")
                    ? "--num_classes" : msg.contains("image_size") ? "--image_size" : "--dtype";
            throw new UsageException(flag + ": " + msg);
        }
    }
}
