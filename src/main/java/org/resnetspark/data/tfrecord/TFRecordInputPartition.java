package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.connector.read.InputPartition;

/** One file = one Spark partition: TFRecord files have no sync markers, so they cannot be split. */
final class TFRecordInputPartition implements InputPartition {

    private static final long serialVersionUID = 1L;

    private final TFRecordFile file;

    TFRecordInputPartition(TFRecordFile file) {
        this.file = file;
    }

    TFRecordFile file() {
        return file;
    }

    @Override
    public String[] preferredLocations() {
        return file.hosts();
    }
}
