package org.resnetspark.data.tfrecord;

import com.google.protobuf.ByteString;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType$;
import org.apache.spark.sql.types.ByteType$;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType$;
import org.apache.spark.sql.types.FloatType$;
import org.apache.spark.sql.types.IntegerType$;
import org.apache.spark.sql.types.LongType$;
import org.apache.spark.sql.types.ShortType$;
import org.apache.spark.sql.types.StringType$;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

/**
 * Turns a row into a {@code tf.train.Example}: integral columns → int64_list, float/double → float_list (double is
 * narrowed, as TensorFlow stores only float32), binary/string (UTF-8) → bytes_list; a scalar is a one-value list,
 * an array its values in order. Null columns are left out of the Example, which is how TensorFlow spells "absent".
 */
final class RowExampleEncoder implements Serializable {

    private static final long serialVersionUID = 1L;

    static final String SUPPORTED_TYPES = "tinyint, smallint, int, bigint, float, double, binary, string, "
            + "or an array of one of these";

    private final StructField[] fields;

    /** @throws IllegalArgumentException naming the first column whose type cannot be written */
    RowExampleEncoder(StructType schema) {
        this.fields = schema.fields();
        for (StructField f : fields) {
            DataType t = f.dataType() instanceof ArrayType ? ((ArrayType) f.dataType()).elementType() : f.dataType();
            if (kindOf(t) == null) {
                throw new IllegalArgumentException("tfrecord: cannot write column '" + f.name() + "' of type "
                        + f.dataType().simpleString() + "; expected " + SUPPORTED_TYPES);
            }
        }
    }

    private static FeatureKind kindOf(DataType t) {
        if (t instanceof LongType$ || t instanceof IntegerType$ || t instanceof ShortType$ || t instanceof ByteType$) {
            return FeatureKind.INT64;
        }
        if (t instanceof FloatType$ || t instanceof DoubleType$) {
            return FeatureKind.FLOAT;
        }
        if (t instanceof BinaryType$ || t instanceof StringType$) {
            return FeatureKind.BYTES;
        }
        return null;
    }

    Example encode(Row row) {
        Features.Builder features = Features.newBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (row.isNullAt(i)) {
                continue;
            }
            boolean array = fields[i].dataType() instanceof ArrayType;
            DataType element = array ? ((ArrayType) fields[i].dataType()).elementType() : fields[i].dataType();
            List<Object> values = array ? row.getList(i) : Collections.singletonList(row.get(i));
            features.putFeature(fields[i].name(), feature(kindOf(element), values, fields[i].name()));
        }
        return Example.newBuilder().setFeatures(features).build();
    }

    private static Feature feature(FeatureKind kind, List<Object> values, String column) {
        Feature.Builder f = Feature.newBuilder();
        switch (kind) {
            case INT64: {
                Int64List.Builder list = Int64List.newBuilder();
                for (Object v : values) {
                    list.addValue(((Number) nonNull(v, column)).longValue());
                }
                return f.setInt64List(list).build();
            }
            case FLOAT: {
                FloatList.Builder list = FloatList.newBuilder();
                for (Object v : values) {
                    list.addValue(((Number) nonNull(v, column)).floatValue());
                }
                return f.setFloatList(list).build();
            }
            default: {
                BytesList.Builder list = BytesList.newBuilder();
                for (Object v : values) {
                    Object b = nonNull(v, column);
                    list.addValue(b instanceof String ? ByteString.copyFrom((String) b, StandardCharsets.UTF_8)
                            : ByteString.copyFrom((byte[]) b));
                }
                return f.setBytesList(list).build();
            }
        }
    }

    private static Object nonNull(Object v, String column) {
        if (v == null) {
            throw new IllegalArgumentException("tfrecord: column '" + column + "' holds an array with a null element; "
                    + "a tf.train.Feature list cannot hold nulls");
        }
        return v;
    }
}
