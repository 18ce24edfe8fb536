package org.resnetspark.data.tfrecord;

import com.google.protobuf.ByteString;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DoubleType$;
import org.apache.spark.sql.types.IntegerType$;
import org.apache.spark.sql.types.StringType$;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.tensorflow.example.Feature;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Turns a TFRecord payload into a Spark row of the requested columns.
 *
 * <p>Every column of the data schema is checked on every record, requested or not, so that {@code count()} and
 * {@code collect()} of the same read agree on which records are bad. Only requested columns are materialized
 * (in particular large {@code bytes_list} values such as {@code image/encoded} are not copied otherwise).
 *
 * <p>Rules: a missing feature gives null (a bad record when the column is non-nullable); a scalar column needs
 * exactly one value (zero values give null); the feature's list kind must match the column type; extra features
 * are ignored.
 */
final class ExampleRowDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final StructField[] fields;
    private final FeatureKind[] kinds;
    private final int[] outputPosition;
    private final int outputWidth;

    /**
     * @param dataSchema     the relation's columns; checked on every record
     * @param requiredSchema the columns to output, in this order; a subset of {@code dataSchema}
     * @throws IllegalArgumentException for a column type the reader cannot produce
     */
    ExampleRowDecoder(StructType dataSchema, StructType requiredSchema) {
        this.fields = dataSchema.fields();
        this.kinds = new FeatureKind[fields.length];
        this.outputPosition = new int[fields.length];
        for (int i = 0; i < fields.length; i++) {
            kinds[i] = kindOf(fields[i]);
            outputPosition[i] = -1;
        }
        String[] required = requiredSchema.fieldNames();
        for (int j = 0; j < required.length; j++) {
            outputPosition[dataSchema.fieldIndex(required[j])] = j;
        }
        this.outputWidth = required.length;
    }

    /** Checks that every column has a type the reader supports; returns normally or throws. */
    static void checkSupported(StructType schema) {
        for (StructField f : schema.fields()) {
            kindOf(f);
        }
    }

    private static FeatureKind kindOf(StructField field) {
        FeatureKind kind = FeatureKind.forType(elementType(field.dataType()));
        if (kind == null) {
            throw new IllegalArgumentException("tfrecord: column '" + field.name() + "' has type "
                    + field.dataType().simpleString() + "; expected " + FeatureKind.SUPPORTED_TYPES);
        }
        return kind;
    }

    private static DataType elementType(DataType type) {
        return type instanceof ArrayType ? ((ArrayType) type).elementType() : type;
    }

    /** Decodes one payload; throws {@link RecordProblem} naming the column when the record does not fit. */
    InternalRow decode(byte[] payload) throws RecordProblem {
        Map<String, Feature> features = ExampleRecords.parse(payload).getFeatures().getFeatureMap();
        Object[] values = new Object[outputWidth];
        for (int i = 0; i < fields.length; i++) {
            int pos = outputPosition[i];
            Object value = column(fields[i], kinds[i], features.get(fields[i].name()), pos >= 0);
            if (pos >= 0) {
                values[pos] = value;
            }
        }
        return new GenericInternalRow(values);
    }

    private static Object column(StructField field, FeatureKind expected, Feature feature, boolean materialize)
            throws RecordProblem {
        if (feature == null) {
            return nullOrFail(field, "feature is missing");
        }
        FeatureKind actual = FeatureKind.of(feature);
        if (actual != null && actual != expected) {
            throw problem(field, "feature is a " + actual + "; expected a " + expected);
        }
        int count = actual == null ? 0 : expected.count(feature);
        boolean array = field.dataType() instanceof ArrayType;
        if (!array && count == 0) {
            return nullOrFail(field, "feature has no values");
        }
        if (!array && count > 1) {
            throw problem(field, "feature has " + count + " values; expected exactly 1 (declare the column as array<"
                    + field.dataType().simpleString() + ">)");
        }
        if (!materialize && expected == FeatureKind.BYTES) {
            return null;
        }
        DataType element = elementType(field.dataType());
        switch (expected) {
            case INT64:
                return int64(field, element, actual == null ? List.of() : feature.getInt64List().getValueList(), array);
            case FLOAT:
                return floats(element, actual == null ? List.of() : feature.getFloatList().getValueList(), array);
            default:
                return bytes(element, actual == null ? List.of() : feature.getBytesList().getValueList(), array);
        }
    }

    private static Object int64(StructField field, DataType element, List<Long> values, boolean array)
            throws RecordProblem {
        if (element instanceof IntegerType$) {
            int[] ints = new int[values.size()];
            for (int i = 0; i < ints.length; i++) {
                long v = values.get(i);
                if (v != (int) v) {
                    throw problem(field, "value " + v + " does not fit an int; expected a bigint column");
                }
                ints[i] = (int) v;
            }
            return array ? UnsafeArrayData.fromPrimitiveArray(ints) : (Object) ints[0];
        }
        if (!array) {
            return values.get(0);
        }
        long[] longs = new long[values.size()];
        for (int i = 0; i < longs.length; i++) {
            longs[i] = values.get(i);
        }
        return UnsafeArrayData.fromPrimitiveArray(longs);
    }

    private static Object floats(DataType element, List<Float> values, boolean array) {
        if (element instanceof DoubleType$) {
            double[] doubles = new double[values.size()];
            for (int i = 0; i < doubles.length; i++) {
                doubles[i] = values.get(i);
            }
            return array ? UnsafeArrayData.fromPrimitiveArray(doubles) : (Object) doubles[0];
        }
        if (!array) {
            return values.get(0);
        }
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = values.get(i);
        }
        return UnsafeArrayData.fromPrimitiveArray(floats);
    }

    private static Object bytes(DataType element, List<ByteString> values, boolean array) {
        boolean string = element instanceof StringType$;
        Object[] out = new Object[values.size()];
        for (int i = 0; i < out.length; i++) {
            byte[] b = values.get(i).toByteArray();
            out[i] = string ? UTF8String.fromBytes(b) : b;
        }
        return array ? new GenericArrayData(out) : out[0];
    }

    private static Object nullOrFail(StructField field, String what) throws RecordProblem {
        if (!field.nullable()) {
            throw problem(field, what + "; expected a value because the column is non-nullable");
        }
        return null;
    }

    private static RecordProblem problem(StructField field, String what) {
        return new RecordProblem("column '" + field.name() + "' (" + field.dataType().simpleString() + "): " + what);
    }
}
