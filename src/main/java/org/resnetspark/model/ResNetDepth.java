package org.resnetspark.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The depth table: how many blocks each stage has, and whether blocks are basic (two 3x3 convs) or
 * bottleneck (1x1, 3x3, 1x1 with 4x expansion). As TensorFlow's {@code _get_block_sizes} and CIFAR's 6n+2 rule.
 *
 * @param blocksPerStage number of residual blocks in each stage
 * @param bottleneck     true for bottleneck blocks
 * @param stageFilters   base filters of each stage (a bottleneck stage outputs 4x this)
 * @param stageStrides   stride of the first block of each stage
 */
public record ResNetDepth(int[] blocksPerStage, boolean bottleneck, int[] stageFilters, int[] stageStrides) {

    private static final Map<Integer, int[]> IMAGENET_BLOCKS = new TreeMap<>(Map.of(
            18, new int[] {2, 2, 2, 2},
            34, new int[] {3, 4, 6, 3},
            50, new int[] {3, 4, 6, 3},
            101, new int[] {3, 4, 23, 3},
            152, new int[] {3, 8, 36, 3},
            200, new int[] {3, 24, 36, 3}));

    /** ImageNet sizes, ascending. */
    public static final List<Integer> IMAGENET_SIZES = List.copyOf(IMAGENET_BLOCKS.keySet());

    /**
     * The depth for a size of a family.
     *
     * @throws IllegalArgumentException listing the allowed sizes
     */
    public static ResNetDepth of(DatasetFamily family, int size) {
        if (family == DatasetFamily.CIFAR10) {
            if (size < 8 || (size - 2) % 6 != 0) {
                throw new IllegalArgumentException("Invalid resnet_size " + size
                        + " for cifar10: expected 6n+2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...)");
            }
            int n = (size - 2) / 6;
            return new ResNetDepth(new int[] {n, n, n}, false, new int[] {16, 32, 64}, new int[] {1, 2, 2});
        }
        int[] blocks = IMAGENET_BLOCKS.get(size);
        if (blocks == null) {
            throw new IllegalArgumentException("Invalid resnet_size " + size + " for imagenet: expected one of "
                    + IMAGENET_SIZES);
        }
        return new ResNetDepth(blocks.clone(), size >= 50, new int[] {64, 128, 256, 512}, new int[] {1, 2, 2, 2});
    }

    public int stages() {
        return blocksPerStage.length;
    }

    /** Channels a block of stage {@code i} outputs. */
    public int stageOutChannels(int i) {
        return bottleneck ? stageFilters[i] * 4 : stageFilters[i];
    }

    @Override
    public String toString() {
        return Arrays.toString(blocksPerStage) + (bottleneck ? " bottleneck" : " basic");
    }
}
