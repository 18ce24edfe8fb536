package org.resnetspark.data.tfrecord;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.testing.LocalSpark;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.FeatureList;
import org.tensorflow.example.FeatureLists;
import org.tensorflow.example.Features;
import org.tensorflow.example.Int64List;
import org.tensorflow.example.SequenceExample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged input: by default a one-line error naming the file and 0-based record index; with
 * {@code mode=DROPMALFORMED} / {@code on_bad_record=skip} the bad records are skipped and counted on the driver.
 */
class TFRecordBadRecordTest {

    private static SparkSession spark;

    @TempDir
    Path dir;

    /** Not stopped after the class: the next test class's {@code getOrCreate} reuses it (startup costs seconds). */
    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
    }

    @BeforeEach
    void resetCount() {
        TFRecordBadRecords.reset(spark);
    }

    /**
     * Loads and counts, expects that to fail (at load when schema inference meets the bad record, else at count),
     * and returns the bad-record error after checking its message is one line.
     */
    private static TFRecordBadRecordException failure(Supplier<Dataset<Row>> load) {
        Exception e = assertThrows(Exception.class, () -> load.get().count());
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TFRecordBadRecordException) {
                assertFalse(t.getMessage().contains("\n"), "one line: " + t.getMessage());
                return (TFRecordBadRecordException) t;
            }
        }
        throw new AssertionError("no TFRecordBadRecordException in the causes of " + e, e);
    }

    private static Dataset<Row> read(Path file, String... options) {
        var reader = spark.read().format("tfrecord");
        for (int i = 0; i < options.length; i += 2) {
            reader = reader.option(options[i], options[i + 1]);
        }
        return reader.load(file.toUri().toString());
    }

    private static final StructType LABEL_SCHEMA = new StructType().add("image/class/label", DataTypes.LongType)
            .add("image/encoded", DataTypes.BinaryType);

    @Test
    void flippedPayloadByteFailsAtThatRecordOrIsSkippedAlone() throws IOException {
        Path file = TestData.copy(TestData.SHAPES_VALIDATION, dir, "flipped");
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) TestData.recordOffsets(bytes)[7] + 12 + 40] ^= 0x01;
        Files.write(file, bytes);

        TFRecordBadRecordException e = failure(() -> spark.read().format("tfrecord").schema(LABEL_SCHEMA)
                .load(file.toUri().toString()));
        assertTrue(e.getMessage().startsWith(file.toUri().toString().replace("file:///", "file:/") + ": record 7: "
                + "payload checksum mismatch"), e.getMessage());
        assertEquals(7, e.recordIndex());

        Dataset<Row> skipping = spark.read().format("tfrecord").schema(LABEL_SCHEMA).option("mode", "DROPMALFORMED")
                .load(file.toUri().toString());
        String log = captureLog(() -> assertEquals(TestData.SHAPES_VALIDATION_RECORDS - 1, skipping.count()));
        assertEquals(1, TFRecordBadRecords.count(spark));
        assertTrue(log.contains("WARN Skipping bad TFRecord: " + e.file() + ": record 7: payload checksum mismatch"),
                log);
    }

    @Test
    void badLengthChecksumSkipsTheRestOfTheFile() throws IOException {
        Path file = TestData.copy(TestData.SHAPES_VALIDATION, dir, "bad-length");
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) TestData.recordOffsets(bytes)[10] + 3] ^= 0x10;
        Files.write(file, bytes);
        TFRecordBadRecordException e = failure(() -> read(file));
        assertEquals(10, e.recordIndex());
        assertTrue(e.getMessage().contains("length-header checksum mismatch"), e.getMessage());
        assertEquals(10, read(file, "on_bad_record", "skip").count());
        assertEquals(1, TFRecordBadRecords.count(spark));
    }

    @Test
    void fileCutMidRecordFailsAsTruncatedOrKeepsTheRecordsBeforeTheCut() throws IOException {
        Path file = TestData.copy(TestData.SHAPES_VALIDATION, dir, "cut");
        byte[] bytes = Files.readAllBytes(file);
        long cut = TestData.recordOffsets(bytes)[100] + 12 + 500;
        Files.write(file, Arrays.copyOf(bytes, (int) cut));
        TFRecordBadRecordException e = failure(() -> read(file));
        assertEquals(100, e.recordIndex());
        assertTrue(e.getMessage().contains("file ends after 500 of ")
                && e.getMessage().endsWith("payload bytes; expected a complete record (the file is truncated)"),
                e.getMessage());
        assertEquals(100, read(file, "mode", "DROPMALFORMED").count());
        assertEquals(1, TFRecordBadRecords.count(spark));
    }

    @Test
    void truncatedGzipIsACorruptStream() throws IOException {
        Path file = TestData.copy(TestData.PENGUIN_GZ, dir, "penguin-cut.gz");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        TFRecordBadRecordException e = failure(() -> read(file));
        assertTrue(e.getMessage().contains("GZIP stream is corrupt or truncated"), e.getMessage());
        long kept = read(file, "mode", "DROPMALFORMED").count();
        assertTrue(kept > 0 && kept < TestData.PENGUIN_RECORDS, "records before the cut: " + kept);
        assertEquals(1, TFRecordBadRecords.count(spark));
    }

    @Test
    void gzipFileWithoutSuffixIsExplainedAndReadableWithTheOption() throws IOException {
        Path file = TestData.copy(TestData.PENGUIN_GZ, dir, "penguin-train-00000-of-00001");
        TFRecordBadRecordException e = failure(() -> read(file));
        assertEquals(0, e.recordIndex());
        assertTrue(e.getMessage().contains("record 0: file starts with the GZIP magic bytes 1f 8b; expected an "
                + "uncompressed TFRecord (name the file *.gz or set option compression=gzip)"), e.getMessage());
        assertEquals(TestData.PENGUIN_RECORDS, read(file, "compression", "gzip").count());
        assertEquals(TestData.PENGUIN_RECORDS, read(file, "codec", "GZIP").count());

        StructType schema = new StructType().add("species", DataTypes.LongType);
        assertEquals(0, spark.read().format("tfrecord").schema(schema).option("on_bad_record", "skip")
                .load(file.toUri().toString()).count());
        assertEquals(1, TFRecordBadRecords.count(spark));
    }

    @Test
    void recordsThatAreNotExamplesAreRejected() throws IOException {
        Path file = dir.resolve("mixed");
        Example good = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("id",
                Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(5)).build())).build();
        SequenceExample sequence = SequenceExample.newBuilder()
                .setContext(good.getFeatures())
                .setFeatureLists(FeatureLists.newBuilder().putFeatureList("frames", FeatureList.newBuilder()
                        .addFeature(good.getFeatures().getFeatureOrThrow("id")).build()))
                .build();
        byte[] notProtobuf = "this is not a protobuf message".getBytes(StandardCharsets.UTF_8);
        writeRecords(file, List.of(good.toByteArray(), good.toByteArray(), sequence.toByteArray(),
                good.toByteArray(), notProtobuf, good.toByteArray()));

        StructType schema = new StructType().add("id", DataTypes.LongType);
        TFRecordBadRecordException e = failure(() -> spark.read().format("tfrecord").schema(schema)
                .load(file.toUri().toString()));
        assertEquals(2, e.recordIndex());
        assertTrue(e.getMessage().contains("record 2: payload has protobuf fields [2] that tf.train.Example does "
                + "not define (field 2 is a SequenceExample's feature_lists); expected a serialized tf.train.Example"),
                e.getMessage());

        List<Row> kept = spark.read().format("tfrecord").schema(schema).option("mode", "DROPMALFORMED")
                .load(file.toUri().toString()).collectAsList();
        assertEquals(4, kept.size());
        assertTrue(kept.stream().allMatch(r -> r.getLong(0) == 5L));
        assertEquals(2, TFRecordBadRecords.count(spark));
    }

    @Test
    void shardLackingANonNullableColumnFailsOrIsSkippedWhileNullableGivesNull() throws IOException {
        Path shards = Files.createDirectories(dir.resolve("shards"));
        StructType full = new StructType().add("id", DataTypes.LongType).add("label", DataTypes.LongType);
        spark.createDataFrame(LongStream.range(0, 6).mapToObj(i -> RowFactory.create(i, i % 3))
                .collect(Collectors.toList()), full).coalesce(1)
                .write().format("tfrecord").save(shards.resolve("a").toUri().toString());
        spark.createDataFrame(LongStream.range(6, 10).mapToObj(i -> RowFactory.create(i))
                .collect(Collectors.toList()), new StructType().add("id", DataTypes.LongType)).coalesce(1)
                .write().format("tfrecord").save(shards.resolve("b").toUri().toString());
        String both = shards.toUri() + "*";

        Dataset<Row> inferred = spark.read().format("tfrecord").load(both);
        assertEquals(full, inferred.schema());
        List<Row> rows = new ArrayList<>(inferred.collectAsList());
        rows.sort(Comparator.comparingLong(r -> r.getLong(0)));
        assertEquals(10, rows.size());
        assertEquals(2L, rows.get(5).getLong(1));
        assertTrue(rows.subList(6, 10).stream().allMatch(r -> r.isNullAt(1)), "lacking shard gives null labels");

        StructType required = new StructType().add("id", DataTypes.LongType, false)
                .add("label", DataTypes.LongType, false);
        TFRecordBadRecordException e = failure(() -> spark.read().format("tfrecord").schema(required).load(both));
        assertTrue(e.file().contains("/shards/b/part-"), e.file());
        assertEquals(0, e.recordIndex());
        assertTrue(e.getMessage().endsWith("record 0: column 'label' (bigint): feature is missing; expected a value "
                + "because the column is non-nullable"), e.getMessage());

        Dataset<Row> skipping = spark.read().format("tfrecord").schema(required).option("mode", "DROPMALFORMED")
                .load(both);
        assertEquals(6, skipping.select("id").count(), "the check holds for pruned columns too");
        assertEquals(4, TFRecordBadRecords.count(spark));
    }

    @Test
    void wrongFeatureKindOrCountNamesTheColumn() {
        StructType floatLabel = new StructType().add("image/class/label", DataTypes.FloatType);
        TFRecordBadRecordException kind = failure(() -> spark.read().format("tfrecord").schema(floatLabel)
                .load(TestData.uri(TestData.SHAPES_VALIDATION)));
        assertEquals(0, kind.recordIndex());
        assertTrue(kind.getMessage().endsWith("record 0: column 'image/class/label' (float): feature is a "
                + "int64_list; expected a float_list"), kind.getMessage());
        assertNotNull(kind.file());
    }

    /** What log4j2 receives while {@code action} runs (executors share this JVM in local mode). */
    private static String captureLog(Runnable action) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        StringWriter sink = new StringWriter();
        WriterAppender appender = WriterAppender.newBuilder().setName("tfrecord-capture").setTarget(sink)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
        appender.start();
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        root.addAppender(appender, null, null);
        ctx.updateLoggers();
        try {
            action.run();
        } finally {
            root.removeAppender("tfrecord-capture");
            ctx.updateLoggers();
        }
        return sink.toString();
    }

    private static void writeRecords(Path file, List<byte[]> payloads) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             TFRecordFrameWriter writer = new TFRecordFrameWriter(out)) {
            for (byte[] p : payloads) {
                writer.write(p);
            }
        }
    }
}
