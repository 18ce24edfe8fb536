package org.resnetspark.data.imagenet.convert;

import java.io.Serializable;

/**
 * One raw image to convert: where it is and what it is. A plain class (Spark's Kryo cannot serialize records).
 */
public final class SourceImage implements Serializable {

    private static final long serialVersionUID = 1L;

    private String path;
    private String synset;
    private int label;
    private String text;
    private float[][] boxes;

    /** For Kryo. */
    private SourceImage() {
    }

    /**
     * @param path   the image file, a fully qualified Hadoop path
     * @param label  1-based label: position of {@code synset} in the synset list + 1
     * @param text   human-readable class name (the synset itself when there is no metadata)
     * @param boxes  normalized {@code {xmin, ymin, xmax, ymax}} boxes, clipped to [0, 1]; may be empty
     */
    public SourceImage(String path, String synset, int label, String text, float[][] boxes) {
        this.path = path;
        this.synset = synset;
        this.label = label;
        this.text = text;
        this.boxes = boxes;
    }

    public String path() {
        return path;
    }

    /** The file name without directories, as {@code image/filename} and the bounding-box CSV spell it. */
    public String fileName() {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    public String synset() {
        return synset;
    }

    public int label() {
        return label;
    }

    public String text() {
        return text;
    }

    public float[][] boxes() {
        return boxes;
    }
}
