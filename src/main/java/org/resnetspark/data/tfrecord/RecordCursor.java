package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;

/**
 * Walks the records of one file, decoding each and applying the {@link BadRecordPolicy}: with FAIL the first bad
 * record throws; with SKIP it is logged at WARN (file and index), counted, and passed over — or, when the framing
 * is lost (truncation, bad length checksum, broken GZIP), the rest of the file is passed over as one bad record.
 *
 * @param <T> what a record decodes to
 */
final class RecordCursor<T> implements Closeable {

    /** Decodes one payload. */
    interface Decoder<T> {
        T decode(byte[] payload) throws RecordProblem;
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordCursor.class);
    private static final int READ_BUFFER = 1 << 20;

    private final TFRecordFile file;
    private final TFRecordFrameReader frames;
    private final Decoder<T> decoder;
    private final BadRecordPolicy policy;
    private final LongAccumulator skipped;
    private boolean finished;

    private RecordCursor(TFRecordFile file, TFRecordFrameReader frames, Decoder<T> decoder, BadRecordPolicy policy,
                         LongAccumulator skipped) {
        this.file = file;
        this.frames = frames;
        this.decoder = decoder;
        this.policy = policy;
        this.skipped = skipped;
    }

    /**
     * Opens a file for reading.
     *
     * @param skipped where skipped records are counted and logged; null to skip silently (schema sampling, which
     *                would otherwise count the same records twice)
     */
    static <T> RecordCursor<T> open(TFRecordFile file, Configuration conf, Decoder<T> decoder, BadRecordPolicy policy,
                                    LongAccumulator skipped) throws IOException {
        Path path = new Path(file.path());
        BufferedInputStream in = new BufferedInputStream(path.getFileSystem(conf).open(path), READ_BUFFER);
        return new RecordCursor<>(file, new TFRecordFrameReader(in, file.compression(), file.path()), decoder,
                policy, skipped);
    }

    /** The next good record, or null at the end of the file. */
    T next() throws IOException {
        while (!finished) {
            byte[] payload;
            try {
                payload = frames.next();
            } catch (TFRecordBadRecordException e) {
                finished = !e.restOfFileReadable();
                onBadRecord(e);
                continue;
            }
            if (payload == null) {
                finished = true;
                break;
            }
            try {
                return decoder.decode(payload);
            } catch (RecordProblem p) {
                onBadRecord(new TFRecordBadRecordException(file.path(), frames.nextIndex() - 1, p.getMessage(), true));
            }
        }
        return null;
    }

    private void onBadRecord(TFRecordBadRecordException e) {
        if (policy == BadRecordPolicy.FAIL) {
            throw e;
        }
        if (skipped != null) {
            skipped.add(1);
            LOG.warn("Skipping bad TFRecord{}: {}", e.restOfFileReadable() ? "" : " and the rest of its file",
                    e.getMessage());
        }
    }

    @Override
    public void close() throws IOException {
        frames.close();
    }
}
