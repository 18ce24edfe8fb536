package org.resnetspark.data.imagenet;

import java.io.Serializable;

/**
 * What {@link ImageNetTrainingInput} caches per image: the encoded bytes as stored, the 0-based label, the
 * clipped object boxes and a short identity for messages. Nothing decoded: ~110 KB per ImageNet image.
 *
 * <p>A plain class rather than a Java record: Spark's Kryo cannot serialize records.
 */
public final class ImageNetRecord implements Serializable {

    private static final long serialVersionUID = 1L;

    private String source;
    private byte[] encoded;
    private int label;
    private float[][] boxes;

    /** For Kryo. */
    private ImageNetRecord() {
    }

    /**
     * @param source  identity for messages, {@code <shard file name>#<record index>}
     * @param label   0-based class index
     * @param boxes   normalized {@code {ymin, xmin, ymax, xmax}} boxes inside [0, 1]; empty for "whole image"
     */
    public ImageNetRecord(String source, byte[] encoded, int label, float[][] boxes) {
        this.source = source;
        this.encoded = encoded;
        this.label = label;
        this.boxes = boxes;
    }

    public String source() {
        return source;
    }

    /** The encoded image (not a copy). */
    public byte[] encoded() {
        return encoded;
    }

    public int label() {
        return label;
    }

    /** The boxes (not a copy), in the order {@link ImageNetPreprocessing#train} expects. */
    public float[][] boxes() {
        return boxes;
    }
}
