package org.resnetspark.data.imagenet;

import org.deeplearning4j.nn.conf.CNN2DFormat;

/** Order of the values of one preprocessed image in its float array. */
public enum TensorLayout {
    /** Channel-first: {@code [c][y][x]}, DL4J's default {@code CNN2DFormat.NCHW}. */
    NCHW,
    /** Channel-last: {@code [y][x][c]}, TensorFlow's default. */
    NHWC;

    /** The layout of DL4J's {@code format}. */
    public static TensorLayout of(CNN2DFormat format) {
        return format == CNN2DFormat.NHWC ? NHWC : NCHW;
    }

    /** Index of channel {@code c} of pixel {@code (x, y)} in a 3-channel image of {@code height x width}. */
    public int index(int height, int width, int y, int x, int c) {
        return this == NCHW ? (c * height + y) * width + x : (y * width + x) * 3 + c;
    }

    /** Shape of one 3-channel {@code size x size} image: {3, size, size} or {size, size, 3}. */
    public long[] shape(int size) {
        return this == NCHW ? new long[] {3, size, size} : new long[] {size, size, 3};
    }
}
