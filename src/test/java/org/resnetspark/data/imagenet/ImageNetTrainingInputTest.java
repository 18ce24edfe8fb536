package org.resnetspark.data.imagenet;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.tfrecord.Compression;
import org.resnetspark.data.tfrecord.TFRecordStreams;
import org.resnetspark.testing.LocalSpark;
import org.tensorflow.example.Example;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ImageNetTrainingInput over shards converted from the 200 real photos, at 64x64, 2 workers x 8. */
class ImageNetTrainingInputTest {

    static final int SIZE = 64;
    static final int BATCH = 8;
    static final int WORKERS = 2;

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static ConvertedShards shards;
    static ImageNetTrainingInput input;
    /** Collected training epochs, shared by the tests (each epoch decodes 160 photos). */
    static final Map<Integer, List<DataSet>> epochs = new java.util.HashMap<>();

    static synchronized List<DataSet> epoch(int e) {
        return epochs.computeIfAbsent(e, k -> input.trainBatches(k).collect());
    }

    @BeforeAll
    static void open() throws IOException {
        spark = LocalSpark.start(2);
        shards = ConvertedShards.create(spark, tmp);
        input = ImageNetTrainingInput.open(spark, shards.dir.toString(), settings(BadRecordPolicy.SKIP), SIZE);
    }

    @AfterAll
    static void close() {
        input.close();
    }

    static InputSettings settings(BadRecordPolicy policy) {
        return new InputSettings(BATCH, WORKERS, CNN2DFormat.NCHW, 1000, 42, 0, policy, null);
    }

    /** Label counts of the training images (0-based): one per photo, three for the synset with the quirks. */
    static Map<Integer, Long> trainLabelCounts() {
        Map<Integer, Long> counts = shards.raw.train.stream()
                .collect(Collectors.groupingBy(p -> shards.raw.label(p.synset()) - 1, TreeMap::new,
                        Collectors.counting()));
        counts.merge(shards.raw.label(shards.raw.quirkSynset) - 1, 2L, Long::sum);
        return counts;
    }

    static List<Integer> labels(List<DataSet> batches) {
        List<Integer> out = new ArrayList<>();
        for (DataSet d : batches) {
            for (long i = 0; i < d.numExamples(); i++) {
                out.add(d.getLabels().getRow(i).argMax().getInt(0));
            }
        }
        return out;
    }

    @Test
    void examplesReadWithoutSparkConvertToTheSameRecordsAsRows() throws IOException {
        Path shard;
        try (var files = Files.list(shards.dir)) {
            shard = files.filter(f -> f.getFileName().toString().startsWith("train-")).sorted().findFirst()
                    .orElseThrow();
        }
        ImageNetRowConverter converter = new ImageNetRowConverter(1000);
        List<Row> rows = spark.read().format("tfrecord").schema(ImageNetSchema.READ).load(shard.toString())
                .collectAsList();
        List<byte[]> payloads = TFRecordStreams.readAll(Files.newInputStream(shard), Compression.NONE,
                shard.toString());
        assertEquals(rows.size(), payloads.size());
        assertTrue(rows.size() > 0, "the shard has records");
        for (int i = 0; i < rows.size(); i++) {
            ImageNetRecord fromRow = converter.convert(rows.get(i), "s#" + i);
            ImageNetRecord fromExample = converter.convert(Example.parseFrom(payloads.get(i)), "s#" + i);
            assertEquals(fromRow.source(), fromExample.source());
            assertEquals(fromRow.label(), fromExample.label());
            assertArrayEquals(fromRow.encoded(), fromExample.encoded());
            assertArrayEquals(fromRow.boxes(), fromExample.boxes());
        }
        Example unlabeled = Example.parseFrom(payloads.get(0)).toBuilder().setFeatures(Example.parseFrom(
                payloads.get(0)).getFeatures().toBuilder().removeFeature(ImageNetSchema.LABEL)).build();
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> converter.convert(unlabeled, "s#0"));
        assertTrue(e.getMessage().startsWith("s#0 (") && e.getMessage().contains(ImageNetSchema.LABEL),
                e.getMessage());
    }

    @Test
    void countsAndClassNames() {
        assertEquals(RawImageNetFixture.TRAIN, input.trainRecords());
        assertEquals(10, input.stepsPerEpoch(), "floor(162 / (2 x 8))");
        assertEquals(160, input.trainImages());
        assertEquals(RawImageNetFixture.VALIDATION, input.evalImages());
        assertEquals(0, input.badRecords());
        List<String> names = input.classNames();
        assertEquals(1000, names.size());
        for (String synset : shards.raw.synsets) {
            assertEquals(synset, names.get(shards.raw.label(synset) - 1), "text = synset is not repeated");
        }
        assertEquals("class 999", names.get(999), "labels no record carries");
    }

    @Test
    void everyWorkerGetsTheSameBatchCountAndEachUsedRecordOncePerEpoch() {
        List<Integer> perPartition = input.trainBatches(0).mapPartitions(it -> {
            int n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        assertEquals(List.of(10, 10), perPartition);

        for (int epoch = 0; epoch < 2; epoch++) {
            List<DataSet> batches = epoch(epoch);
            assertEquals(20, batches.size());
            for (DataSet d : batches) {
                assertArrayEquals(new long[] {BATCH, 3, SIZE, SIZE}, d.getFeatures().shape());
                assertArrayEquals(new long[] {BATCH, 1000}, d.getLabels().shape());
            }
            Map<Integer, Long> seen = labels(batches).stream()
                    .collect(Collectors.groupingBy(l -> l, TreeMap::new, Collectors.counting()));
            Map<Integer, Long> available = trainLabelCounts();
            assertEquals(160, seen.values().stream().mapToLong(Long::longValue).sum());
            seen.forEach((label, n) -> assertTrue(n <= available.getOrDefault(label, 0L),
                    "label " + label + " seen " + n + " times, " + available.get(label) + " records"));
            assertTrue(available.size() - seen.size() <= 2, "at most the 2 left-out records are missing");
        }
    }

    @Test
    void anEpochIsReproducibleAndEpochsDiffer() {
        List<DataSet> first = epoch(0);
        List<DataSet> again = input.trainBatches(0).collect();
        List<DataSet> next = epoch(1);
        for (int i = 0; i < first.size(); i++) {
            assertEquals(first.get(i).getFeatures(), again.get(i).getFeatures(), "batch " + i);
            assertEquals(first.get(i).getLabels(), again.get(i).getLabels(), "batch " + i);
        }
        assertFalse(labels(first).equals(labels(next)), "another epoch, another order");
        // mean-subtracted pixels: values around 0, within [-124, 152]
        float[] x = first.get(0).getFeatures().data().asFloat();
        double mean = Arrays.stream(box(x)).average().orElseThrow();
        assertTrue(Math.abs(mean) < 60, "mean " + mean);
        assertTrue(Arrays.stream(box(x)).allMatch(v -> v >= -124 && v <= 152));
    }

    @Test
    void evaluationIsDeterministicAndHasEveryValidationImageWithItsLabel() {
        List<DataSet> a = input.evalBatches().collect();
        List<DataSet> b = input.evalBatches().collect();
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getFeatures(), b.get(i).getFeatures());
        }
        List<Integer> got = labels(a);
        got.sort(null);
        List<Integer> expected = shards.raw.validation.stream().map(p -> shards.raw.label(p.synset()) - 1)
                .sorted().toList();
        assertEquals(expected, got);
        assertEquals(3, a.get(0).getFeatures().shape()[1]);
    }

    @Test
    void badRecordsAreCountedAndSkippedOrFailWithOneLine() throws IOException {
        Path dir = tmp.resolve("bad");
        Files.createDirectories(dir);
        for (String name : List.of("train-00000-of-00004", "train-00001-of-00004", "train-00002-of-00004",
                "train-00003-of-00004", "validation-00000-of-00002", "validation-00001-of-00002")) {
            Files.copy(shards.dir.resolve(name), dir.resolve(name));
        }
        byte[] truncated = Files.readAllBytes(RawImageNetFixture.shared().resolve("jpeg/quirks/truncated-half.JPEG"));
        byte[] good = Files.readAllBytes(shards.raw.root.resolve("validation").resolve(
                shards.raw.validation.get(0).file()));
        writeShard(dir.resolve("train-00004-of-00005"), List.of(
                row(truncated, 7, "truncated-half.JPEG"), row(good, 1001, "label-1001.JPEG")));
        // a torn write at the end of a validation shard: a TFRecord whose length header promises more bytes
        Files.write(dir.resolve("validation-00001-of-00002"), new byte[] {100, 0, 0, 0, 0, 0, 0, 0, 1, 2},
                StandardOpenOption.APPEND);

        ImageNetTrainingInput[] opened = new ImageNetTrainingInput[1];
        String log = captureLog(() -> {
            try {
                opened[0] = ImageNetTrainingInput.open(spark, dir.toString(), settings(BadRecordPolicy.SKIP), SIZE);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ImageNetTrainingInput skipping = opened[0];
        assertTrue(log.contains("WARN skipping bad ImageNet record train-00004-of-00005#0 (truncated-half.JPEG):"
                + " truncated JPEG"), log);
        assertTrue(log.contains("WARN skipping bad ImageNet record train-00004-of-00005#1 (label-1001.JPEG):"
                + " image/class/label 1001, expected 1..1000"), log);
        assertTrue(log.contains("validation-00001-of-00002: record 20: "), "the torn TFRecord, by the reader: " + log);
        try {
            assertEquals(3, skipping.badRecords(), "truncated JPEG + label 1001 + torn TFRecord");
            assertEquals(RawImageNetFixture.TRAIN, skipping.trainRecords());
            assertEquals(RawImageNetFixture.VALIDATION, skipping.evalImages());
        } finally {
            skipping.close();
        }

        Path onlyJpeg = tmp.resolve("bad-jpeg");
        Path onlyLabel = tmp.resolve("bad-label");
        for (Path d : List.of(onlyJpeg, onlyLabel)) {
            Files.createDirectories(d);
            Files.copy(shards.dir.resolve("validation-00000-of-00002"), d.resolve("validation-00000-of-00002"));
        }
        writeShard(onlyJpeg.resolve("train-00000-of-00001"), List.of(row(good, 3, "ok.JPEG"),
                row(truncated, 7, "truncated-half.JPEG")));
        writeShard(onlyLabel.resolve("train-00000-of-00001"), List.of(row(good, 1001, "label-1001.JPEG")));
        InvalidDataException jpeg = assertThrows(InvalidDataException.class, () -> ImageNetTrainingInput.open(spark,
                onlyJpeg.toString(), settings(BadRecordPolicy.FAIL), SIZE));
        assertTrue(jpeg.getMessage().startsWith("train-00000-of-00001#1 (truncated-half.JPEG): truncated JPEG"),
                jpeg.getMessage());
        assertEquals(1, jpeg.getMessage().lines().count());
        InvalidDataException label = assertThrows(InvalidDataException.class, () -> ImageNetTrainingInput.open(
                spark, onlyLabel.toString(), settings(BadRecordPolicy.FAIL), SIZE));
        assertTrue(label.getMessage().startsWith("train-00000-of-00001#0 (label-1001.JPEG): image/class/label 1001,"
                + " expected 1..1000"), label.getMessage());
        assertEquals(1, label.getMessage().lines().count());
    }

    private static org.apache.spark.sql.Row row(byte[] encoded, long label, String file) {
        return RowFactory.create(encoded, label, "n00000000", null, file, null, null, null, null);
    }

    /** Writes rows of {@link ImageNetSchema#READ} as one TFRecord file named {@code target}. */
    private static void writeShard(Path target, List<org.apache.spark.sql.Row> rows) throws IOException {
        Path out = tmp.resolve("write-" + target.getFileName() + "-" + System.nanoTime());
        spark.createDataFrame(rows, ImageNetSchema.READ).coalesce(1).write().format("tfrecord")
                .mode(SaveMode.ErrorIfExists).save(out.toString());
        try (var files = Files.list(out)) {
            Path part = files.filter(p -> p.getFileName().toString().startsWith("part-")).findFirst().orElseThrow();
            Files.move(part, target);
        }
    }

    /** What log4j2 receives while {@code action} runs (executors share this JVM in local mode). */
    private static String captureLog(Runnable action) {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        StringWriter sink = new StringWriter();
        WriterAppender appender = WriterAppender.newBuilder().setName("imagenet-capture").setTarget(sink)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %m%n").build()).build();
        appender.start();
        LoggerConfig root = ctx.getConfiguration().getRootLogger();
        root.addAppender(appender, null, null);
        ctx.updateLoggers();
        try {
            action.run();
        } finally {
            root.removeAppender("imagenet-capture");
            ctx.updateLoggers();
        }
        return sink.toString();
    }

    private static double[] box(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
