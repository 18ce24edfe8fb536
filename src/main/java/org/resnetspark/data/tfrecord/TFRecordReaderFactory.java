package org.resnetspark.data.tfrecord;

import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Shipped to executors: everything a task needs to read its file. */
final class TFRecordReaderFactory implements PartitionReaderFactory {

    private static final long serialVersionUID = 1L;

    private final ExampleRowDecoder decoder;
    private final BadRecordPolicy policy;
    private final Broadcast<SerializableConfiguration> hadoopConf;
    private final LongAccumulator skipped;

    TFRecordReaderFactory(ExampleRowDecoder decoder, BadRecordPolicy policy,
                          Broadcast<SerializableConfiguration> hadoopConf, LongAccumulator skipped) {
        this.decoder = decoder;
        this.policy = policy;
        this.hadoopConf = hadoopConf;
        this.skipped = skipped;
    }

    @Override
    public PartitionReader<InternalRow> createReader(InputPartition partition) {
        TFRecordFile file = ((TFRecordInputPartition) partition).file();
        try {
            return new TFRecordPartitionReader(RecordCursor.open(file, hadoopConf.value().value(), decoder::decode,
                    policy, skipped));
        } catch (IOException e) {
            throw new UncheckedIOException("tfrecord: cannot open " + file.path() + ": " + e.getMessage(), e);
        }
    }
}
