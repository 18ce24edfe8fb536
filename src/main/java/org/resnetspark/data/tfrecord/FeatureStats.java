package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a sample of Examples says about their features: the list kind of each feature, and whether any record had a
 * count other than one. Mergeable, so files can be sampled in parallel.
 */
final class FeatureStats implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TreeMap<String, FeatureKind> kinds = new TreeMap<>();
    private final Set<String> notSingle = new HashSet<>();
    private final TreeMap<String, String> conflicts = new TreeMap<>();
    private long records;

    void add(Example example, String where) {
        records++;
        for (Map.Entry<String, Feature> e : example.getFeatures().getFeatureMap().entrySet()) {
            FeatureKind kind = FeatureKind.of(e.getValue());
            if (kind == null || kind.count(e.getValue()) != 1) {
                notSingle.add(e.getKey());
            }
            if (kind != null) {
                addKind(e.getKey(), kind, where);
            }
        }
    }

    private void addKind(String name, FeatureKind kind, String where) {
        FeatureKind before = kinds.putIfAbsent(name, kind);
        if (before != null && before != kind && !conflicts.containsKey(name)) {
            conflicts.put(name, "feature '" + name + "' is a " + before + " in some records and a " + kind
                    + " in others (e.g. " + where + ")");
        }
    }

    /** Combines two samples; returns this. */
    FeatureStats merge(FeatureStats other) {
        records += other.records;
        notSingle.addAll(other.notSingle);
        other.conflicts.forEach(conflicts::putIfAbsent);
        other.kinds.forEach((name, kind) -> addKind(name, kind, "another file"));
        return this;
    }

    long records() {
        return records;
    }

    /**
     * One nullable column per feature, sorted by name: int64 → bigint, float → float, bytes → binary, or an array
     * of it when any sampled record had zero or several values.
     *
     * @throws IllegalArgumentException when a feature's kind differs between records
     */
    StructType toSchema() {
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("tfrecord: cannot infer a schema: " + String.join("; ",
                    conflicts.values()) + "; give a schema with .schema(...)");
        }
        List<StructField> fields = new ArrayList<>();
        kinds.forEach((name, kind) -> fields.add(DataTypes.createStructField(name, notSingle.contains(name)
                ? DataTypes.createArrayType(kind.inferredType(), false) : kind.inferredType(), true)));
        return DataTypes.createStructType(fields);
    }
}
