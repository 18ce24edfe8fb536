package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.datasources.v2.BatchScanExec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.testing.LocalSpark;
import scala.collection.JavaConverters;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading the TensorFlow-written files from local disk: values, inference, user schema, pruning, paths. */
class TFRecordReadTest {

    private static SparkSession spark;

    /** Not stopped after the class: the next test class's {@code getOrCreate} reuses it (startup costs seconds). */
    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
    }

    private static Dataset<Row> read(String... names) {
        return spark.read().format("tfrecord").load(Arrays.stream(names).map(TestData::uri).toArray(String[]::new));
    }

    private static List<Long> longs(Dataset<Row> oneColumn) {
        return oneColumn.collectAsList().stream().map(r -> r.getLong(0)).toList();
    }

    @Test
    void shapesHaveTheirRecordCountsAndLabelRange() {
        Dataset<Row> train = read(TestData.SHAPES_TRAIN);
        assertEquals(TestData.SHAPES_TRAIN_RECORDS, train.count());
        // collected and summarized here, not with agg(): a shuffle costs seconds on a busy 2-core machine
        LongSummaryStatistics labels = longs(train.select("image/class/label")).stream()
                .mapToLong(Long::longValue).summaryStatistics();
        assertEquals(TestData.SHAPES_TRAIN_RECORDS, labels.getCount());
        assertEquals(1L, labels.getMin());
        assertEquals(33L, labels.getMax());
        assertEquals(TestData.SHAPES_VALIDATION_RECORDS, read(TestData.SHAPES_VALIDATION).count());
    }

    @Test
    void inferredSchemaMapsKindsAndKeepsSlashNames() {
        StructType schema = read(TestData.SHAPES_TRAIN).schema();
        assertEquals(List.of("image/channels", "image/class/label", "image/class/text", "image/colorspace",
                "image/encoded", "image/filename", "image/format", "image/height", "image/width"),
                Arrays.asList(schema.fieldNames()));
        assertEquals(DataTypes.LongType, schema.apply("image/class/label").dataType());
        assertEquals(DataTypes.BinaryType, schema.apply("image/encoded").dataType());
        StructType penguin = read(TestData.PENGUIN_GZ).schema();
        assertEquals(DataTypes.FloatType, penguin.apply("body_mass_g").dataType());
        assertEquals(DataTypes.LongType, penguin.apply("species").dataType());
    }

    @Test
    void encodedJpegsDecodeToTheStoredHeightAndWidth() throws IOException {
        List<Row> rows = read(TestData.SHAPES_VALIDATION)
                .select("image/encoded", "image/height", "image/width", "image/channels").limit(5).collectAsList();
        assertEquals(5, rows.size());
        for (Row r : rows) {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(r.getAs(0)));
            assertNotNull(image, "image/encoded is not a decodable JPEG");
            assertEquals(r.getLong(1), image.getHeight());
            assertEquals(r.getLong(2), image.getWidth());
            assertEquals(32, image.getWidth());
            assertEquals(r.getLong(3), image.getColorModel().getNumColorComponents());
        }
    }

    @Test
    void userSchemaReadsStringsIntsAndIgnoresOtherFeatures() {
        StructType schema = new StructType()
                .add("image/class/label", DataTypes.IntegerType)
                .add("image/format", DataTypes.StringType)
                .add("image/colorspace", DataTypes.StringType)
                .add("image/object/bbox/xmin", DataTypes.createArrayType(DataTypes.FloatType));
        Dataset<Row> df = spark.read().format("tfrecord").schema(schema).load(TestData.uri(TestData.SHAPES_TRAIN));
        assertEquals(schema, df.schema());
        List<Row> rows = df.collectAsList();
        assertEquals(TestData.SHAPES_TRAIN_RECORDS, rows.size());
        Set<String> formats = new TreeSet<>();
        for (Row r : rows) {
            int label = r.getInt(0);
            assertTrue(label >= 1 && label <= 33, "label " + label);
            formats.add(r.getString(1) + "/" + r.getString(2));
            assertTrue(r.isNullAt(3), "a feature the Example lacks is null");
        }
        assertEquals(Set.of("JPEG/RGB"), formats);
    }

    @Test
    void vocRecordsKeepTheirPngMaskUsableAndIgnorableAlike() throws IOException {
        List<Row> rows = read(TestData.VOC_VAL).select("image/segmentation/class/encoded", "image/height",
                "image/width", "image/encoded").collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            BufferedImage mask = ImageIO.read(new ByteArrayInputStream(r.getAs(0)));
            BufferedImage photo = ImageIO.read(new ByteArrayInputStream(r.getAs(3)));
            assertEquals(r.getLong(1), mask.getHeight());
            assertEquals(r.getLong(2), mask.getWidth());
            assertEquals(r.getLong(1), photo.getHeight());
            assertEquals(r.getLong(2), photo.getWidth());
        }
        StructType imageOnly = new StructType().add("image/encoded", DataTypes.BinaryType)
                .add("image/height", DataTypes.LongType);
        List<Row> heights = spark.read().format("tfrecord").schema(imageOnly).load(TestData.uri(TestData.VOC_VAL))
                .select("image/height").collectAsList();
        assertEquals(List.of(366L, 335L, 333L), heights.stream().map(r -> r.getLong(0)).toList());
    }

    @Test
    void gzipPenguinsHaveFloatAndInt64Values() {
        Dataset<Row> df = read(TestData.PENGUIN_GZ);
        assertEquals(TestData.PENGUIN_RECORDS, df.count());
        Row first = df.select("body_mass_g", "culmen_depth_mm", "species").first();
        assertEquals(0.29166666f, first.getFloat(0));
        assertEquals(0.6666667f, first.getFloat(1));
        assertEquals(0L, first.getLong(2));
        assertEquals(Set.of(0L, 1L, 2L), new TreeSet<>(longs(df.select("species"))));
        for (Row r : df.select("flipper_length_mm").collectAsList()) {
            assertTrue(r.getFloat(0) >= 0f && r.getFloat(0) <= 1f, "normalized feature " + r);
        }
    }

    @Test
    void severalPathsDirectoriesAndGlobsAreOnePartitionPerFile(@TempDir Path dir) throws IOException {
        TestData.copy(TestData.SHAPES_VALIDATION, dir, TestData.SHAPES_VALIDATION);
        TestData.copy(TestData.SHAPES_VALIDATION, dir, "shapes-validation-copy");
        TestData.copy(TestData.SHAPES_VALIDATION, dir, "_ignored-marker");
        Dataset<Row> two = read(TestData.SHAPES_TRAIN, TestData.SHAPES_VALIDATION);
        assertEquals(TestData.SHAPES_TRAIN_RECORDS + TestData.SHAPES_VALIDATION_RECORDS, two.count());
        assertEquals(2, two.rdd().getNumPartitions());
        Dataset<Row> directory = spark.read().format("tfrecord").load(dir.toUri().toString());
        assertEquals(2 * TestData.SHAPES_VALIDATION_RECORDS, directory.count());
        assertEquals(2, directory.rdd().getNumPartitions());
        Dataset<Row> glob = spark.read().format("tfrecord").load(TestData.dir() + "/shapes-*-00000-of-00001");
        assertEquals(TestData.SHAPES_TRAIN_RECORDS + TestData.SHAPES_VALIDATION_RECORDS, glob.count());
    }

    @Test
    void missingPathIsNamed() {
        String missing = TestData.dir().resolve("no-such-shard-*").toUri().toString();
        Exception e = assertThrows(Exception.class, () -> spark.read().format("tfrecord").load(missing).count());
        assertTrue(e.getMessage().contains("tfrecord: path does not exist: ") && e.getMessage().contains("no-such-shard-*"),
                e.getMessage());
    }

    @Test
    void columnPruningReadsOnlyTheSelectedColumns() {
        Dataset<Row> df = read(TestData.SHAPES_TRAIN).select(col("image/class/label"), col("image/height"));
        SparkPlan plan = df.queryExecution().sparkPlan();
        List<SparkPlan> leaves = JavaConverters.seqAsJavaList(plan.collectLeaves());
        Scan scan = ((BatchScanExec) leaves.get(0)).scan();
        assertArrayEquals(new String[] {"image/class/label", "image/height"}, scan.readSchema().fieldNames());
        List<Row> rows = df.limit(3).collectAsList();
        assertEquals(2, rows.get(0).size());
        assertEquals(List.of(4L, 6L, 27L), rows.stream().map(r -> r.getLong(0)).toList());
        assertEquals(32L, rows.get(0).getLong(1));
    }
}
