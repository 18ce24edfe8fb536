package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SQLContext;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.BaseRelation;
import org.apache.spark.sql.sources.CreatableRelationProvider;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import scala.collection.JavaConverters;

import java.util.Map;

/**
 * Spark data source {@code "tfrecord"} for files of {@code tf.train.Example} records in TensorFlow's TFRecord
 * framing, on any Hadoop file system.
 *
 * <pre>{@code
 * Dataset<Row> df = spark.read().format("tfrecord").load("hdfs:///imagenet/train-*");
 * df.write().format("tfrecord").option("compression", "gzip").mode("overwrite").save("/tmp/out");
 * }</pre>
 *
 * <p><b>Reading</b> (DataSource V2, so {@code load(p1, p2, ...)} with files, directories and globs works): one
 * partition per file, scheduled on the hosts holding it; every checksum verified; GZIP for {@code *.gz} names or
 * option {@code compression=gzip}. Without {@code .schema(...)} the schema is inferred from a sample (see
 * {@link TFRecordOptions}): int64 → bigint, float → float, bytes → binary, or an array of it when any sampled
 * record has zero or several values; feature names, {@code /} included, are the column names. A user schema may
 * also use int, double, string and arrays of them; a record lacking a feature gives null. Only the selected
 * columns are materialized. Bad records fail the job with a one-line {@link TFRecordBadRecordException} naming the
 * file and 0-based record index, or with {@code mode=DROPMALFORMED} / {@code on_bad_record=skip} are skipped,
 * logged at WARN and counted in {@link TFRecordBadRecords}.
 *
 * <p><b>Writing</b> (V1 {@link CreatableRelationProvider}; see {@link TFRecordWriteJob}): TensorFlow-readable
 * records, optionally GZIP; all four SaveModes; files appear under their final names only after the job succeeded.
 */
public final class TFRecordDataSource implements TableProvider, DataSourceRegister, CreatableRelationProvider {

    /** The short name for {@code format(...)}. */
    public static final String SHORT_NAME = "tfrecord";

    @Override
    public String shortName() {
        return SHORT_NAME;
    }

    @Override
    public boolean supportsExternalMetadata() {
        return true;
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        SparkSession spark = SparkSession.active();
        Map<String, String> map = options.asCaseSensitiveMap();
        TFRecordOptions parsed = TFRecordOptions.parse(map);
        Configuration conf = hadoopConf(spark, map);
        return TFRecordSchemaInference.infer(spark, TFRecordPaths.list(parsed.paths(), parsed, conf), parsed, conf);
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        // no type check here: Spark also calls getTable with the DataFrame's schema when saving (to look for a
        // batch-write capability), and the writer accepts types the reader does not (e.g. smallint)
        return new TFRecordTable(SparkSession.active(), TFRecordOptions.parse(properties), schema);
    }

    @Override
    public BaseRelation createRelation(SQLContext sqlContext, SaveMode mode,
                                       scala.collection.immutable.Map<String, String> parameters, Dataset<Row> data) {
        Map<String, String> options = JavaConverters.mapAsJavaMap(parameters);
        TFRecordWriteJob.run(data, mode, TFRecordOptions.parse(options), hadoopConf(sqlContext.sparkSession(),
                options));
        StructType schema = data.schema();
        // Spark only asks the returned relation for its schema (to refresh caches); reading goes through V2
        return new BaseRelation() {
            @Override
            public SQLContext sqlContext() {
                return sqlContext;
            }

            @Override
            public StructType schema() {
                return schema;
            }
        };
    }

    /** The session's Hadoop configuration plus the read/write options (so fs.* settings can be passed as options). */
    static Configuration hadoopConf(SparkSession spark, Map<String, String> options) {
        Configuration conf = spark.sessionState().newHadoopConf();
        options.forEach((k, v) -> {
            if (v != null && !k.equalsIgnoreCase("path") && !k.equalsIgnoreCase("paths")) {
                conf.set(k, v);
            }
        });
        return conf;
    }
}
