package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.SupportsPushDownRequiredColumns;
import org.apache.spark.sql.types.StructType;

/** Builds a scan of only the columns a query uses (column pruning). */
final class TFRecordScanBuilder implements ScanBuilder, SupportsPushDownRequiredColumns {

    private final SparkSession spark;
    private final TFRecordOptions options;
    private final Configuration conf;
    private final StructType dataSchema;
    private StructType readSchema;

    TFRecordScanBuilder(SparkSession spark, TFRecordOptions options, Configuration conf, StructType dataSchema) {
        this.spark = spark;
        this.options = options;
        this.conf = conf;
        this.dataSchema = dataSchema;
        this.readSchema = dataSchema;
    }

    @Override
    public void pruneColumns(StructType requiredSchema) {
        this.readSchema = requiredSchema;
    }

    @Override
    public Scan build() {
        return new TFRecordScan(spark, options, conf, dataSchema, readSchema);
    }
}
