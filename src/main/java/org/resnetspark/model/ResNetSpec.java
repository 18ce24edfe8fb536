package org.resnetspark.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Everything that fixes a network's architecture (not its training): family, size, version, classes, input
 * size, data format and data type. Validated on construction.
 *
 * @param family     ImageNet (7x7 stem + max pool, 4 stages) or CIFAR (3x3 stem, 3 stages)
 * @param size       depth: 18/34/50/101/152/200 for ImageNet, 6n+2 for CIFAR
 * @param version    block layout
 * @param numClasses outputs of {@code final_dense}
 * @param imageSize  input height = width in pixels
 * @param format     NCHW ({@code channels_first}) or NHWC ({@code channels_last})
 * @param dataType   network data type (FLOAT for fp32, HALF for fp16)
 */
public record ResNetSpec(DatasetFamily family, int size, ResNetVersion version, int numClasses, int imageSize,
                         CNN2DFormat format, DataType dataType) {

    public ResNetSpec {
        ResNetDepth.of(family, size); // validates the size
        if (numClasses < 2) {
            throw new IllegalArgumentException("Invalid num_classes " + numClasses + ": expected >= 2");
        }
        int minSize = family == DatasetFamily.IMAGENET ? 32 : 8;
        if (imageSize < minSize) {
            throw new IllegalArgumentException("Invalid image_size " + imageSize + " for " + family
                    + ": expected >= " + minSize);
        }
        if (dataType != DataType.FLOAT && dataType != DataType.HALF) {
            throw new IllegalArgumentException("Invalid dtype " + dataType + ": expected fp32 or fp16");
        }
    }

    /** The family's defaults: 224 or 32 pixels, NCHW, fp32, 1000 or 10 classes. */
    public static ResNetSpec of(DatasetFamily family, int size, ResNetVersion version) {
        return new ResNetSpec(family, size, version, family.defaultNumClasses(), family.defaultImageSize(),
                CNN2DFormat.NCHW, DataType.FLOAT);
    }

    public ResNetDepth depth() {
        return ResNetDepth.of(family, size);
    }

    public ResNetSpec withNumClasses(int n) {
        return new ResNetSpec(family, size, version, n, imageSize, format, dataType);
    }

    public ResNetSpec withImageSize(int s) {
        return new ResNetSpec(family, size, version, numClasses, s, format, dataType);
    }

    public ResNetSpec withFormat(CNN2DFormat f) {
        return new ResNetSpec(family, size, version, numClasses, imageSize, f, dataType);
    }

    public ResNetSpec withDataType(DataType t) {
        return new ResNetSpec(family, size, version, numClasses, imageSize, format, t);
    }

    /** E.g. "ResNet-50 v1 (imagenet, 1000 classes, 224x224, NCHW, FLOAT)". */
    @Override
    public String toString() {
        return "ResNet-" + size + " v" + version.flagValue() + " (" + family + ", " + numClasses + " classes, "
                + imageSize + "x" + imageSize + ", " + format + ", " + dataType + ")";
    }
}
