package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

import java.util.EnumSet;
import java.util.Set;

/**
 * TFRecord files as a readable table. It deliberately has no batch-write capability: Spark then saves through
 * {@link TFRecordDataSource}'s V1 {@code CreatableRelationProvider}, which supports every SaveMode.
 */
final class TFRecordTable implements SupportsRead {

    private final SparkSession spark;
    private final TFRecordOptions options;
    private final StructType schema;

    TFRecordTable(SparkSession spark, TFRecordOptions options, StructType schema) {
        this.spark = spark;
        this.options = options;
        this.schema = schema;
    }

    @Override
    public String name() {
        return "tfrecord " + options.paths();
    }

    @Override
    public StructType schema() {
        return schema;
    }

    @Override
    public Set<TableCapability> capabilities() {
        return EnumSet.of(TableCapability.BATCH_READ);
    }

    @Override
    public ScanBuilder newScanBuilder(CaseInsensitiveStringMap scanOptions) {
        ExampleRowDecoder.checkSupported(schema);
        Configuration conf = TFRecordDataSource.hadoopConf(spark, scanOptions.asCaseSensitiveMap());
        return new TFRecordScanBuilder(spark, TFRecordOptions.parse(scanOptions.asCaseSensitiveMap()), conf, schema);
    }
}
