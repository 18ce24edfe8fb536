package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DoubleType$;
import org.apache.spark.sql.types.FloatType$;
import org.apache.spark.sql.types.IntegerType$;
import org.apache.spark.sql.types.LongType$;
import org.apache.spark.sql.types.StringType$;
import org.tensorflow.example.Feature;

/** The three value lists a {@code tf.train.Feature} can hold, and the Spark types each maps to. */
enum FeatureKind {
    INT64("int64_list", DataTypes.LongType),
    FLOAT("float_list", DataTypes.FloatType),
    BYTES("bytes_list", DataTypes.BinaryType);

    /** What the reader accepts, for error messages. */
    static final String SUPPORTED_TYPES = "bigint, int (from int64_list), float, double (from float_list), "
            + "binary, string (from bytes_list), or an array of one of these";

    private final String protoName;
    private final DataType inferredType;

    FeatureKind(String protoName, DataType inferredType) {
        this.protoName = protoName;
        this.inferredType = inferredType;
    }

    /** The Spark type schema inference gives a single value of this kind. */
    DataType inferredType() {
        return inferredType;
    }

    /** The kind a feature holds, or null for an empty {@code Feature{}} (no list set). */
    static FeatureKind of(Feature f) {
        switch (f.getKindCase()) {
            case INT64_LIST:
                return INT64;
            case FLOAT_LIST:
                return FLOAT;
            case BYTES_LIST:
                return BYTES;
            default:
                return null;
        }
    }

    /** The kind a column element type is read from, or null when the type is not supported. */
    static FeatureKind forType(DataType element) {
        if (element instanceof LongType$ || element instanceof IntegerType$) {
            return INT64;
        }
        if (element instanceof FloatType$ || element instanceof DoubleType$) {
            return FLOAT;
        }
        if (element instanceof BinaryType$ || element instanceof StringType$) {
            return BYTES;
        }
        return null;
    }

    /** Number of values in a feature of this kind. */
    int count(Feature f) {
        switch (this) {
            case INT64:
                return f.getInt64List().getValueCount();
            case FLOAT:
                return f.getFloatList().getValueCount();
            default:
                return f.getBytesList().getValueCount();
        }
    }

    @Override
    public String toString() {
        return protoName;
    }
}
