package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkJobInfo;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Saves a DataFrame as TFRecord files of {@code tf.train.Example}s, one file per non-empty partition, named
 * {@code part-<partition>-<job uuid>.tfrecord[.gz]}, plus a {@code _SUCCESS} marker.
 *
 * <p>Atomicity: each task attempt writes its own file in a hidden sibling directory
 * ({@code .<name>-tfrecord-<uuid>.tmp}); only after every task succeeded does the driver apply the SaveMode
 * (Overwrite deletes the old output only then) and rename the winning attempts' files to their final names.
 * A failed job leaves the destination as it was and removes the temp directory; no half-written file ever has a
 * final name.
 */
final class TFRecordWriteJob {

    private static final Logger LOG = LoggerFactory.getLogger(TFRecordWriteJob.class);
    private static final int WRITE_BUFFER = 1 << 20;

    /** A file a task attempt wrote, and what it is to be called. (Not a record: Kryo cannot serialize those.) */
    static final class WrittenFile implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String tempPath;
        private final String finalName;
        private final long records;

        WrittenFile(String tempPath, String finalName, long records) {
            this.tempPath = tempPath;
            this.finalName = finalName;
            this.records = records;
        }

        String tempPath() {
            return tempPath;
        }

        String finalName() {
            return finalName;
        }

        long records() {
            return records;
        }
    }

    private TFRecordWriteJob() {
    }

    /**
     * Writes {@code data} to {@code options.paths()} (exactly one path) according to {@code mode}.
     *
     * @throws IllegalArgumentException for an unsupported column type, or not exactly one path
     * @throws IllegalStateException    when the path exists and the mode is ErrorIfExists
     */
    static void run(Dataset<Row> data, SaveMode mode, TFRecordOptions options, Configuration conf) {
        if (options.paths().size() != 1) {
            throw new IllegalArgumentException("tfrecord: save needs exactly one path; got " + options.paths());
        }
        RowExampleEncoder encoder = new RowExampleEncoder(data.schema());
        Compression compression = options.compression() == null ? Compression.NONE : options.compression();
        try {
            Path out = new Path(options.paths().get(0));
            FileSystem fs = out.getFileSystem(conf);
            out = fs.makeQualified(out);
            boolean exists = fs.exists(out);
            if (exists && mode == SaveMode.ErrorIfExists) {
                throw new IllegalStateException("tfrecord: path " + out + " already exists; use mode(\"overwrite\") "
                        + "or mode(\"append\")");
            }
            if (exists && mode == SaveMode.Ignore) {
                LOG.info("tfrecord: {} exists, nothing written (SaveMode.Ignore)", out);
                return;
            }
            String jobId = UUID.randomUUID().toString();
            Path temp = new Path(out.getParent(), "." + out.getName() + "-tfrecord-" + jobId + ".tmp");
            try {
                List<WrittenFile> written = writeTasks(data, encoder, compression, temp, jobId, conf);
                commit(fs, out, mode, written);
            } finally {
                fs.delete(temp, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("tfrecord: writing " + options.paths().get(0) + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static List<WrittenFile> writeTasks(Dataset<Row> data, RowExampleEncoder encoder, Compression compression,
                                                Path temp, String jobId, Configuration conf) {
        SparkContext sc = data.sparkSession().sparkContext();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
        Broadcast<SerializableConfiguration> hadoopConf = jsc.broadcast(new SerializableConfiguration(conf));
        String tempDir = temp.toString();
        String tag = "tfrecord-write-" + jobId;
        sc.addJobTag(tag);
        try {
            return data.javaRDD()
                    .mapPartitionsWithIndex((partition, rows) -> writePartition(partition, rows, encoder, compression,
                            tempDir, jobId, hadoopConf.value().value()), false)
                    .collect();
        } catch (Exception e) { // Spark's SparkException is checked but thrown undeclared
            // a failed job's other tasks are killed asynchronously and may still create files in the temp
            // directory; wait for them, or the caller's cleanup could run before their last write
            awaitNoActiveTasks(sc, tag);
            throw e;
        } finally {
            sc.removeJobTag(tag);
            hadoopConf.destroy();
        }
    }

    private static void awaitNoActiveTasks(SparkContext sc, String tag) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            boolean active = false;
            for (int job : sc.statusTracker().getJobIdsForTag(tag)) {
                Option<SparkJobInfo> info = sc.statusTracker().getJobInfo(job);
                if (info.isDefined()) {
                    for (int stage : info.get().stageIds()) {
                        Option<SparkStageInfo> st = sc.statusTracker().getStageInfo(stage);
                        active |= st.isDefined() && st.get().numActiveTasks() > 0;
                    }
                }
            }
            if (!active) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("tfrecord: tasks of a failed write ({}) still running after 60 s", tag);
    }

    private static Iterator<WrittenFile> writePartition(int partition, Iterator<Row> rows, RowExampleEncoder encoder,
                                                        Compression compression, String tempDir, String jobId,
                                                        Configuration conf) throws IOException {
        if (!rows.hasNext()) {
            return Collections.emptyIterator();
        }
        String finalName = String.format("part-%05d-%s.tfrecord%s", partition, jobId, compression.suffix());
        // the attempt id keeps a retried or speculative attempt from writing over another attempt's file
        Path file = new Path(tempDir, "attempt-" + TaskContext.get().taskAttemptId() + "-" + finalName);
        FileSystem fs = file.getFileSystem(conf);
        long records = 0;
        try (TFRecordFrameWriter writer = new TFRecordFrameWriter(
                compression.wrap(new BufferedOutputStream(fs.create(file, false), WRITE_BUFFER)))) {
            while (rows.hasNext()) {
                writer.write(encoder.encode(rows.next()).toByteArray());
                records++;
            }
        }
        return Collections.singletonList(new WrittenFile(file.toString(), finalName, records)).iterator();
    }

    private static void commit(FileSystem fs, Path out, SaveMode mode, List<WrittenFile> written) throws IOException {
        if (mode == SaveMode.Overwrite && fs.exists(out) && !fs.delete(out, true)) {
            throw new IOException("cannot delete " + out + " to overwrite it");
        }
        if (!fs.exists(out) && !fs.mkdirs(out)) {
            throw new IOException("cannot create directory " + out);
        }
        if (!fs.getFileStatus(out).isDirectory()) {
            throw new IOException(out + " is a file; expected a directory to append to");
        }
        long records = 0;
        for (WrittenFile w : written) {
            Path target = new Path(out, w.finalName());
            if (!fs.rename(new Path(w.tempPath()), target)) {
                throw new IOException("cannot rename " + w.tempPath() + " to " + target);
            }
            records += w.records();
        }
        fs.create(new Path(out, "_SUCCESS"), true).close();
        LOG.info("tfrecord: wrote {} record(s) in {} file(s) to {} ({})", records, written.size(), out, mode);
    }
}
