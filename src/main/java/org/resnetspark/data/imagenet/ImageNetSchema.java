package org.resnetspark.data.imagenet;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The feature keys of TensorFlow's {@code build_imagenet_data.py} and the Spark schemas used to read and write
 * them through {@code format("tfrecord")}.
 *
 * <p>Labels: {@code image/class/label} is 1..1000 in sorted-synset order; TensorFlow reserves 0 for "background"
 * and its model has 1001 outputs. This project's networks have {@code numClasses} outputs (1000 by default) and
 * use {@code label - 1}; a record whose label is outside 1..numClasses is a bad record.
 */
public final class ImageNetSchema {

    public static final String ENCODED = "image/encoded";
    public static final String LABEL = "image/class/label";
    public static final String SYNSET = "image/class/synset";
    public static final String TEXT = "image/class/text";
    public static final String XMIN = "image/object/bbox/xmin";
    public static final String YMIN = "image/object/bbox/ymin";
    public static final String XMAX = "image/object/bbox/xmax";
    public static final String YMAX = "image/object/bbox/ymax";
    public static final String BBOX_LABEL = "image/object/bbox/label";
    public static final String HEIGHT = "image/height";
    public static final String WIDTH = "image/width";
    public static final String CHANNELS = "image/channels";
    public static final String COLORSPACE = "image/colorspace";
    public static final String FORMAT = "image/format";
    public static final String FILENAME = "image/filename";

    /**
     * What training reads: the image, its label, its boxes, and names for messages and class names. Boxes,
     * synset, text and file name are nullable (a reader must accept records without them).
     */
    public static final StructType READ = new StructType()
            .add(ENCODED, DataTypes.BinaryType, false)
            .add(LABEL, DataTypes.LongType, false)
            .add(SYNSET, DataTypes.StringType, true)
            .add(TEXT, DataTypes.StringType, true)
            .add(FILENAME, DataTypes.StringType, true)
            .add(XMIN, DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add(YMIN, DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add(XMAX, DataTypes.createArrayType(DataTypes.FloatType, false), true)
            .add(YMAX, DataTypes.createArrayType(DataTypes.FloatType, false), true);

    /** Every key {@code build_imagenet_data.py} writes, with its TensorFlow type (int64 → long, float → float). */
    public static final StructType FULL = new StructType()
            .add(ENCODED, DataTypes.BinaryType, false)
            .add(LABEL, DataTypes.LongType, false)
            .add(SYNSET, DataTypes.StringType, false)
            .add(TEXT, DataTypes.StringType, false)
            .add(XMIN, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(YMIN, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(XMAX, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(YMAX, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(BBOX_LABEL, DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add(HEIGHT, DataTypes.LongType, false)
            .add(WIDTH, DataTypes.LongType, false)
            .add(CHANNELS, DataTypes.LongType, false)
            .add(COLORSPACE, DataTypes.StringType, false)
            .add(FORMAT, DataTypes.StringType, false)
            .add(FILENAME, DataTypes.StringType, false);

    private ImageNetSchema() {
    }
}
