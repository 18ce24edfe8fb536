/**
 * A Spark 3 data source for TFRecord files of {@code tf.train.Example}s: {@code spark.read().format("tfrecord")}
 * and {@code df.write().format("tfrecord")}, on any Hadoop file system.
 *
 * <p>Entry points: {@link org.resnetspark.data.tfrecord.TFRecordDataSource} (registered under the short name
 * {@code tfrecord}), {@link org.resnetspark.data.tfrecord.TFRecordOptions} (options),
 * {@link org.resnetspark.data.tfrecord.TFRecordBadRecords} (driver-side count of skipped records) and
 * {@link org.resnetspark.data.tfrecord.TFRecordBadRecordException} (what a bad record fails with).
 */
package org.resnetspark.data.tfrecord;
