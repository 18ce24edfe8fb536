package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.PartitionReader;

import java.io.IOException;

/** Reads the rows of one file. */
final class TFRecordPartitionReader implements PartitionReader<InternalRow> {

    private final RecordCursor<InternalRow> cursor;
    private InternalRow current;

    TFRecordPartitionReader(RecordCursor<InternalRow> cursor) {
        this.cursor = cursor;
    }

    @Override
    public boolean next() throws IOException {
        current = cursor.next();
        return current != null;
    }

    @Override
    public InternalRow get() {
        return current;
    }

    @Override
    public void close() throws IOException {
        cursor.close();
    }
}
