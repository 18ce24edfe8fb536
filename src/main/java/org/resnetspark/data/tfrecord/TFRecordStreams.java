package org.resnetspark.data.tfrecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * TFRecord files as lists of payloads, outside Spark (tools and benchmarks); Spark jobs read and write through
 * {@code format("tfrecord")}. The framing is the one the data source uses: TensorFlow's, masked CRC32C.
 */
public final class TFRecordStreams {

    private TFRecordStreams() {
    }

    /**
     * Every record's payload, every checksum verified. Closes {@code in}.
     *
     * @param file names the file in error messages
     * @throws TFRecordBadRecordException naming the file and record index of the first corrupt or truncated record
     */
    public static List<byte[]> readAll(InputStream in, Compression compression, String file) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (TFRecordFrameReader reader = new TFRecordFrameReader(in, compression, file)) {
            for (byte[] p = reader.next(); p != null; p = reader.next()) {
                out.add(p);
            }
        }
        return out;
    }

    /** Writes each payload as one uncompressed record, as TensorFlow's {@code TFRecordWriter}. Closes {@code out}. */
    public static void writeAll(OutputStream out, Iterable<byte[]> payloads) throws IOException {
        try (TFRecordFrameWriter writer = new TFRecordFrameWriter(out)) {
            for (byte[] p : payloads) {
                writer.write(p);
            }
        }
    }
}
