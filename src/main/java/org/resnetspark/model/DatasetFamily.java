package org.resnetspark.model;

/** The two network families of TensorFlow's official ResNet: ImageNet (224x224) and CIFAR (32x32). */
public enum DatasetFamily {
    IMAGENET("imagenet", 224, 1000),
    CIFAR10("cifar10", 32, 10);

    private final String flagValue;
    private final int defaultImageSize;
    private final int defaultNumClasses;

    DatasetFamily(String flagValue, int defaultImageSize, int defaultNumClasses) {
        this.flagValue = flagValue;
        this.defaultImageSize = defaultImageSize;
        this.defaultNumClasses = defaultNumClasses;
    }

    public String flagValue() {
        return flagValue;
    }

    public int defaultImageSize() {
        return defaultImageSize;
    }

    public int defaultNumClasses() {
        return defaultNumClasses;
    }

    /** Parses {@code --dataset}; throws naming the accepted values. */
    public static DatasetFamily parse(String value) {
        for (DatasetFamily d : values()) {
            if (d.flagValue.equalsIgnoreCase(value.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("Invalid dataset '" + value + "': expected imagenet or cifar10");
    }

    @Override
    public String toString() {
        return flagValue;
    }
}
