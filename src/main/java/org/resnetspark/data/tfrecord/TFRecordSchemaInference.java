package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;
import org.tensorflow.example.Example;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Infers a schema from the first records of every file, as a Spark job (one task per file), so that a feature
 * present in only some shards still becomes a column. The sample is {@code samplingRecords} spread evenly over the
 * files, at least one record per file.
 */
final class TFRecordSchemaInference {

    private TFRecordSchemaInference() {
    }

    /**
     * @throws IllegalArgumentException when there are no files or no features, or a feature's kind differs
     * @throws TFRecordBadRecordException (wrapped by Spark) for a bad sampled record when the policy is FAIL
     */
    static StructType infer(SparkSession spark, List<TFRecordFile> files, TFRecordOptions options,
                            Configuration conf) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("tfrecord: cannot infer a schema: no files found under "
                    + options.paths() + "; give a schema with .schema(...)");
        }
        int perFile = (int) Math.max(1, (options.samplingRecords() + (long) files.size() - 1) / files.size());
        BadRecordPolicy policy = options.badRecordPolicy();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SerializableConfiguration> hadoopConf = jsc.broadcast(new SerializableConfiguration(conf));
        FeatureStats stats;
        // keep the caller's job description (the trainer names its epochs) once inference is done
        String callerDescription = jsc.getLocalProperty("spark.job.description");
        try {
            jsc.setJobDescription("tfrecord: infer schema from " + perFile + " record(s) of each of "
                    + files.size() + " file(s)");
            stats = jsc.parallelize(files, files.size())
                    .map(file -> sample(file, perFile, policy, hadoopConf.value().value()))
                    .reduce(FeatureStats::merge);
        } finally {
            jsc.setJobDescription(callerDescription);
            hadoopConf.destroy();
        }
        StructType schema = stats.toSchema();
        if (schema.isEmpty()) {
            throw new IllegalArgumentException("tfrecord: cannot infer a schema: the " + stats.records()
                    + " sampled record(s) of " + options.paths() + " have no features; give a schema with .schema(...)");
        }
        return schema;
    }

    private static FeatureStats sample(TFRecordFile file, int records, BadRecordPolicy policy, Configuration conf) {
        FeatureStats stats = new FeatureStats();
        try (RecordCursor<Example> cursor = RecordCursor.open(file, conf, ExampleRecords::parse, policy, null)) {
            for (int i = 0; i < records; i++) {
                Example example = cursor.next();
                if (example == null) {
                    break;
                }
                stats.add(example, file.path());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("tfrecord: cannot read " + file.path() + ": " + e.getMessage(), e);
        }
        return stats;
    }
}
