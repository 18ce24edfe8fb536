package org.resnetspark.data.tfrecord;

import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.testing.LocalSpark;
import org.tensorflow.example.Example;
import org.tensorflow.hadoop.util.TFRecordReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Writing: round trips (plain and GZIP), TensorFlow-compatible bytes, SaveModes, no half files after a failure. */
class TFRecordWriteTest {

    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.LongType, false)
            .add("label", DataTypes.IntegerType)
            .add("score", DataTypes.FloatType)
            .add("weight", DataTypes.DoubleType)
            .add("name", DataTypes.StringType)
            .add("blob", DataTypes.BinaryType)
            .add("bbox", DataTypes.createArrayType(DataTypes.FloatType))
            .add("ids", DataTypes.createArrayType(DataTypes.LongType))
            .add("tags", DataTypes.createArrayType(DataTypes.StringType));

    private static SparkSession spark;

    @TempDir
    Path dir;

    /** Not stopped after the class: the next test class's {@code getOrCreate} reuses it (startup costs seconds). */
    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
    }

    private static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (long i = 0; i < 40; i++) {
            boolean sparse = i % 5 == 0;
            rows.add(RowFactory.create(i,
                    sparse ? null : (int) (i % 7),
                    i / 4f,
                    sparse ? null : i * 0.25, // doubles exactly representable as float: TF stores float32
                    "name-" + i + "-é",
                    new byte[] {(byte) i, (byte) (i >> 8), -1},
                    sparse ? List.of() : List.of(0.125f * i, 0.5f),
                    sparse ? null : List.of(i, -i, Long.MAX_VALUE),
                    List.of("a" + i, "b")));
        }
        return rows;
    }

    private static Dataset<Row> frame() {
        return spark.createDataFrame(rows(), SCHEMA).repartition(3);
    }

    private static List<Row> readBack(String path) {
        List<Row> back = new ArrayList<>(spark.read().format("tfrecord").schema(SCHEMA).load(path).collectAsList());
        back.sort(Comparator.comparingLong(r -> r.getLong(0)));
        return back;
    }

    /** Rows compared field by field: Row.equals compares byte[] by identity. */
    private static void assertSameRows(List<Row> expected, List<Row> actual) {
        assertEquals(expected.size(), actual.size());
        for (int r = 0; r < expected.size(); r++) {
            for (int f = 0; f < SCHEMA.size(); f++) {
                Object e = expected.get(r).get(f);
                Object a = actual.get(r).get(f);
                if (e instanceof byte[]) {
                    assertArrayEquals((byte[]) e, (byte[]) a, "row " + r + " " + SCHEMA.fieldNames()[f]);
                } else if (e instanceof List) {
                    assertEquals(e, actual.get(r).getList(f), "row " + r + " " + SCHEMA.fieldNames()[f]);
                } else {
                    assertEquals(e, a, "row " + r + " " + SCHEMA.fieldNames()[f]);
                }
            }
        }
    }

    private List<Path> dataFiles(Path out) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void roundTripReturnsEqualRowsAndTensorflowHadoopReadsTheFiles() throws IOException {
        Path out = dir.resolve("plain");
        frame().write().format("tfrecord").save(out.toUri().toString());
        assertSameRows(rows(), readBack(out.toUri().toString()));

        List<Path> files = dataFiles(out);
        assertEquals(3, files.size());
        assertTrue(files.stream().allMatch(p -> p.toString().endsWith(".tfrecord")), files.toString());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        long records = 0;
        for (Path p : files) {
            try (InputStream in = Files.newInputStream(p)) {
                TFRecordReader theirs = new TFRecordReader(in, true);
                for (byte[] payload = theirs.read(); payload != null; payload = theirs.read()) {
                    Example e = Example.parseFrom(payload);
                    assertTrue(e.getFeatures().containsFeature("id"));
                    records++;
                }
            }
        }
        assertEquals(40, records);
    }

    @Test
    void gzipRoundTripNamesFilesGzAndIsRealGzip() throws IOException {
        Path out = dir.resolve("gz");
        frame().write().format("tfrecord").option("compression", "gzip").save(out.toUri().toString());
        assertSameRows(rows(), readBack(out.toUri().toString()));
        List<Path> files = dataFiles(out);
        assertTrue(files.stream().allMatch(p -> p.toString().endsWith(".tfrecord.gz")), files.toString());
        try (InputStream in = new GZIPInputStream(Files.newInputStream(files.get(0)))) {
            assertTrue(new TFRecordReader(in, true).read().length > 0);
        }
    }

    @Test
    void inferredSchemaOfWrittenDataWidensToTensorflowKinds() {
        String out = dir.resolve("inferred").toUri().toString();
        frame().write().format("tfrecord").save(out);
        StructType inferred = spark.read().format("tfrecord").load(out).schema();
        assertEquals(DataTypes.LongType, inferred.apply("label").dataType());
        assertEquals(DataTypes.FloatType, inferred.apply("weight").dataType());
        assertEquals(DataTypes.BinaryType, inferred.apply("name").dataType());
        assertEquals(DataTypes.createArrayType(DataTypes.FloatType, false), inferred.apply("bbox").dataType());
        Row first = spark.read().format("tfrecord").load(out).where("id = 3").select("name").first();
        assertEquals("name-3-é", new String((byte[]) first.get(0), StandardCharsets.UTF_8));
    }

    @Test
    void saveModesErrorIgnoreAppendOverwrite() {
        String out = dir.resolve("modes").toUri().toString();
        Dataset<Row> ten = spark.range(10).toDF("id");
        ten.write().format("tfrecord").save(out);
        IllegalStateException exists = assertThrows(IllegalStateException.class,
                () -> ten.write().format("tfrecord").save(out));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());

        spark.range(100).toDF("id").write().format("tfrecord").mode(SaveMode.Ignore).save(out);
        assertEquals(10, count(out));
        spark.range(10, 15).toDF("id").write().format("tfrecord").mode(SaveMode.Append).save(out);
        assertEquals(15, count(out));
        spark.range(3).toDF("id").write().format("tfrecord").mode(SaveMode.Overwrite).save(out);
        assertEquals(3, count(out));
    }

    @Test
    void failedJobLeavesNoFileUnderTheFinalNameAndKeepsOverwrittenData() throws IOException {
        Dataset<Row> failing = spark.range(0, 400, 1, 4).map((MapFunction<Long, Long>) i -> {
            if (i == 350) {
                throw new IllegalStateException("boom at " + i);
            }
            return i;
        }, Encoders.LONG()).toDF("id");

        Path fresh = dir.resolve("fresh");
        assertThrows(Exception.class, () -> failing.write().format("tfrecord").save(fresh.toUri().toString()));
        assertFalse(Files.exists(fresh), "nothing under the final name");

        Path kept = dir.resolve("kept");
        spark.range(7).toDF("id").write().format("tfrecord").save(kept.toUri().toString());
        assertThrows(Exception.class, () -> failing.write().format("tfrecord").mode(SaveMode.Overwrite)
                .save(kept.toUri().toString()));
        assertEquals(7, count(kept.toUri().toString()));

        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("kept"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "temp directories are removed");
        }
    }

    @Test
    void unsupportedColumnTypeIsRejectedBeforeWriting() {
        Dataset<Row> dates = spark.sql("select current_date() as day");
        String out = dir.resolve("dates").toUri().toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> dates.write().format("tfrecord").save(out));
        assertEquals("tfrecord: cannot write column 'day' of type date; expected " + RowExampleEncoder.SUPPORTED_TYPES,
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("dates")));
        assertTrue(Arrays.asList(dir.toFile().list()).isEmpty());
    }

    private static long count(String path) {
        return spark.read().format("tfrecord").load(path).count();
    }
}
