package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import java.util.List;

/** A batch scan of the requested columns: files are listed when Spark plans the partitions. */
final class TFRecordScan implements Scan, Batch {

    private final SparkSession spark;
    private final TFRecordOptions options;
    private final Configuration conf;
    private final StructType dataSchema;
    private final StructType readSchema;

    TFRecordScan(SparkSession spark, TFRecordOptions options, Configuration conf, StructType dataSchema,
                 StructType readSchema) {
        this.spark = spark;
        this.options = options;
        this.conf = conf;
        this.dataSchema = dataSchema;
        this.readSchema = readSchema;
    }

    @Override
    public StructType readSchema() {
        return readSchema;
    }

    @Override
    public String description() {
        return "tfrecord " + options.paths() + " " + readSchema.simpleString();
    }

    @Override
    public Batch toBatch() {
        return this;
    }

    @Override
    public InputPartition[] planInputPartitions() {
        List<TFRecordFile> files = TFRecordPaths.list(options.paths(), options, conf);
        return files.stream().map(TFRecordInputPartition::new).toArray(InputPartition[]::new);
    }

    @Override
    public PartitionReaderFactory createReaderFactory() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return new TFRecordReaderFactory(new ExampleRowDecoder(dataSchema, readSchema), options.badRecordPolicy(),
                jsc.broadcast(new SerializableConfiguration(conf)),
                TFRecordBadRecords.accumulator(spark.sparkContext()));
    }
}
