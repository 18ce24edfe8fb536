package org.resnetspark.data.tfrecord;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes records in TensorFlow's TFRecord framing (length, masked CRC32C of the length, payload, masked CRC32C of
 * the payload), readable by {@code tf.data.TFRecordDataset}. Closing closes the stream.
 */
final class TFRecordFrameWriter implements Closeable {

    private final OutputStream out;
    private final byte[] header = new byte[12];
    private final byte[] footer = new byte[4];

    TFRecordFrameWriter(OutputStream out) {
        this.out = out;
    }

    void write(byte[] data) throws IOException {
        long length = data.length;
        for (int i = 0; i < 8; i++) {
            header[i] = (byte) (length >>> (8 * i));
        }
        putLittleEndianInt(header, 8, MaskedCrc32c.of(header, 0, 8));
        putLittleEndianInt(footer, 0, MaskedCrc32c.of(data, 0, data.length));
        out.write(header);
        out.write(data);
        out.write(footer);
    }

    private static void putLittleEndianInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
