package org.resnetspark.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/** Schema checks and output columns shared by the estimator and the model. */
final class ImageColumns {

    private ImageColumns() {
    }

    /** Requires {@code col} to be a binary column of encoded JPEG/PNG bytes. */
    static void requireImage(StructType schema, String param, String col) {
        DataType t = type(schema, param, col);
        if (!(t instanceof BinaryType)) {
            throw new IllegalArgumentException(param + " '" + col + "' must be binary (encoded JPEG/PNG bytes, e.g."
                    + " 'image/encoded' of format(\"tfrecord\") or 'content' of format(\"binaryFile\")), but is "
                    + t.simpleString());
        }
    }

    /** Requires {@code col} to be an integral column of 0-based class indices. */
    static void requireLabel(StructType schema, String param, String col) {
        DataType t = type(schema, param, col);
        if (!(t instanceof IntegerType || t instanceof LongType || t instanceof ShortType || t instanceof ByteType)) {
            throw new IllegalArgumentException(param + " '" + col + "' must be an integer column of 0-based class"
                    + " indices (int or long), but is " + t.simpleString());
        }
    }

    /** {@code schema} plus nullable prediction (double), probability (vector) and top-k (array<int>) columns. */
    static StructType withPredictions(StructType schema, String predictionCol, String probabilityCol,
                                      String topKCol) {
        for (String c : new String[] {predictionCol, probabilityCol, topKCol}) {
            if (Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new IllegalArgumentException("output column '" + c + "' already exists");
            }
        }
        return schema.add(predictionCol, DataTypes.DoubleType, true)
                .add(probabilityCol, SQLDataTypes.VectorType(), true)
                .add(topKCol, DataTypes.createArrayType(DataTypes.IntegerType, false), true);
    }

    private static DataType type(StructType schema, String param, String col) {
        if (!Arrays.asList(schema.fieldNames()).contains(col)) {
            throw new IllegalArgumentException(param + " '" + col + "' is not a column; columns: "
                    + String.join(", ", schema.fieldNames()));
        }
        return schema.apply(col).dataType();
    }
}
