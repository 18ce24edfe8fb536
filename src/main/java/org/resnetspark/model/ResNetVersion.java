package org.resnetspark.model;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a residual block puts its stride and its batch norm / ReLU; the meaning of {@code --resnet_version}
 * as in TensorFlow's official ResNet.
 */
public enum ResNetVersion {
    /** The paper's original v1 (He et al. 2015): in a bottleneck the stride sits on the first 1x1 conv. */
    V1_ORIGINAL("1_original", false),
    /** TensorFlow's "1" (also "1.5"): post-activation, stride on the 3x3 conv of the bottleneck. */
    V1_5("1", false),
    /** TensorFlow's "2": pre-activation (BN+ReLU before each conv, final BN+ReLU before pooling). */
    V2("2", true);

    private final String flagValue;
    private final boolean preActivation;

    ResNetVersion(String flagValue, boolean preActivation) {
        this.flagValue = flagValue;
        this.preActivation = preActivation;
    }

    /** The canonical {@code --resnet_version} value. */
    public String flagValue() {
        return flagValue;
    }

    /** True for v2: BN+ReLU before each conv, none after the stem conv, a final BN+ReLU before pooling. */
    public boolean preActivation() {
        return preActivation;
    }

    /** True when a bottleneck's stride sits on its first 1x1 conv (original v1) rather than its 3x3 conv. */
    public boolean strideOnFirst1x1() {
        return this == V1_ORIGINAL;
    }

    /** The values {@code --resnet_version} accepts, for help and error messages. */
    public static final String ACCEPTED = "1 (= 1.5), 1.5, 2, 1_original";

    /**
     * Parses a {@code --resnet_version} value.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static ResNetVersion parse(String value) {
        String v = value.trim().toLowerCase();
        switch (v) {
            case "1": case "1.5": case "v1.5": case "v1_5": return V1_5;
            case "2": case "v2": return V2;
            case "1_original": case "v1_original": case "original": return V1_ORIGINAL;
            default:
                throw new IllegalArgumentException("Invalid resnet_version '" + value + "': expected one of "
                        + ACCEPTED);
        }
    }

    @Override
    public String toString() {
        return flagValue;
    }

    static String names() {
        return Arrays.stream(values()).map(ResNetVersion::flagValue).collect(Collectors.joining(", "));
    }
}
