package org.resnetspark.ml;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark ML API on real data: a CIFAR-family ResNet-8 (16x16 input, 1 epoch) fitted once on the 858 shapes
 * TFRecords (33 classes, labels 1..33 made 0-based), scored on the 165 validation records and on JPEGs read with
 * Spark's binaryFile source.
 */
class ResNetClassifierTest {

    private static final int CLASSES = 33;

    private static SparkSession spark;
    private static ResNetClassifier estimator;
    private static ResNetClassificationModel model;
    private static Dataset<Row> validation;

    @TempDir
    static File tmp;

    @BeforeAll
    static void fit() {
        spark = LocalSpark.start(2);
        Dataset<Row> train = shapes("shapes-train-00000-of-00001");
        validation = shapes("shapes-validation-00000-of-00001").select("image/encoded", "label");
        estimator = new ResNetClassifier()
                .setFamily("cifar10").setResnetSize(8).setNumClasses(CLASSES).setImageSize(16)
                .setBatchSize(64).setEpochs(1).setSeed(7).setTopK(3).setValidationFraction(0.2)
                .setBaseLearningRate(0.05).setWarmupEpochs(0.5)
                .setModelDir(new File(tmp, "training-run").toURI().toString());
        long t0 = System.nanoTime();
        model = estimator.fit(train);
        System.out.printf("fit: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }


    private static Dataset<Row> shapes(String file) {
        String dir = System.getProperty("shared.data.dir", "../shared/data");
        return spark.read().format("tfrecord").load(new File(dir, "tfrecord/" + file).toURI().toString())
                .withColumn("label", col("image/class/label").minus(1));
    }

    @Test
    void transformAddsPredictionProbabilityAndTopKColumns() {
        Dataset<Row> scored = model.transform(validation);
        StructType schema = scored.schema();
        assertEquals(DataTypes.DoubleType, schema.apply("prediction").dataType());
        assertEquals(SQLDataTypes.VectorType(), schema.apply("probability").dataType());
        assertEquals(DataTypes.createArrayType(DataTypes.IntegerType, false), schema.apply("topK").dataType());
        List<Row> rows = scored.select("prediction", "probability", "topK").collectAsList();
        assertEquals(165, rows.size());
        for (Row r : rows) {
            double prediction = r.getDouble(0);
            double[] p = ((Vector) r.get(1)).toArray();
            List<Integer> top = r.getList(2);
            assertEquals(CLASSES, p.length);
            assertEquals(1.0, Arrays.stream(p).sum(), 1e-4);
            assertEquals(3, top.size());
            assertEquals((int) prediction, top.get(0).intValue(), "top-k starts with the prediction");
            assertEquals(argmax(p), (int) prediction);
            assertTrue(p[top.get(0)] >= p[top.get(1)] && p[top.get(1)] >= p[top.get(2)]);
        }
        assertEquals(3, model.getTopK(), "the estimator's Params are copied to the model");
        assertEquals(estimator, model.parent());
        assertEquals(CLASSES, model.numClasses());
    }

    @Test
    void savedModelLoadsWithUidParamsAndIdenticalPredictions() throws IOException {
        String path = new File(tmp, "model").toURI().toString();
        model.setProbabilityCol("p");
        try {
            model.write().save(path);
            ResNetClassificationModel loaded = ResNetClassificationModel.load(path);
            assertEquals(model.uid(), loaded.uid());
            assertEquals("p", loaded.getProbabilityCol());
            assertEquals(3, loaded.getTopK());
            assertTrue(new File(tmp, "model/data/model.zip").isFile());
            assertTrue(new File(tmp, "model/metadata").isDirectory());
            List<Row> before = model.transform(validation).select("p").collectAsList();
            List<Row> after = loaded.transform(validation).select("p").collectAsList();
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(((Vector) before.get(i).get(0)).toArray(), ((Vector) after.get(i).get(0)).toArray());
            }
            IOException e = assertThrows(IOException.class, () -> model.write().save(path));
            assertTrue(e.getMessage().contains("overwrite"), e.getMessage());
            model.write().overwrite().save(path);
        } finally {
            model.setProbabilityCol("probability");
        }
    }

    @Test
    void savedEstimatorLoadsWithUidAndParams() throws IOException {
        String path = new File(tmp, "estimator").toURI().toString();
        estimator.write().save(path);
        ResNetClassifier loaded = ResNetClassifier.load(path);
        assertEquals(estimator.uid(), loaded.uid());
        assertEquals(estimator.extractParamMap().toString(), loaded.extractParamMap().toString());
        assertEquals(8, loaded.getResnetSize());
        assertEquals("cifar10", loaded.getFamily());
        assertEquals(16, loaded.getImageSize());
        assertThrows(IOException.class, () -> estimator.write().save(path));
    }

    @Test
    void validationFractionHoldsOutRowsForTheEvaluation() throws IOException {
        com.fasterxml.jackson.databind.JsonNode epochs = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new File(tmp, "training-run/metrics.json")).get("epochs");
        long evaluated = epochs.get(epochs.size() - 1).get("eval").get("examples").asLong();
        // 858 shapes rows, 20% held out by a seeded draw per row
        assertTrue(evaluated > 858 * 0.14 && evaluated < 858 * 0.26, "held-out rows evaluated: " + evaluated);
        long trained = epochs.get(epochs.size() - 1).get("images").asLong();
        assertTrue(trained + evaluated <= 858 && trained >= 858 - evaluated - 64, trained + " trained");
    }

    @Test
    void scheduleParamsReachTheTrainingRun() throws IOException {
        String rate = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(new File(tmp, "training-run/metrics.json")).get("run").get("learning_rate").asText();
        // 0.05 per 128 images at a batch of 64; TF's CIFAR-10 piecewise schedule with the warm-up asked for
        assertTrue(rate.startsWith("lr 0.02500,") && rate.contains("warm-up 0.5 epochs"), rate);
    }

    @Test
    void copyHonoursExtra() {
        ResNetClassificationModel copy = model.copy(new ParamMap().put(model.topK().w(2)));
        assertEquals(2, copy.getTopK());
        assertEquals(3, model.getTopK());
        assertEquals(model.uid(), copy.uid());
        ResNetClassifier e = estimator.copy(new ParamMap().put(estimator.epochs().w(4)));
        assertEquals(4, e.getEpochs());
        assertEquals(1, estimator.getEpochs());
        assertEquals(8, e.getResnetSize());
        List<Row> two = copy.transform(validation.limit(3)).select("topK").collectAsList();
        two.forEach(r -> assertEquals(2, r.getList(0).size()));
    }

    @Test
    void explainParamsDocumentsEveryParam() {
        String explained = estimator.explainParams();
        for (var p : estimator.params()) {
            assertTrue(explained.contains(p.name() + ": " + p.doc()), p.name());
        }
        assertEquals(25, estimator.params().length, "Params found by reflection");
        assertTrue(explained.contains("labelCol: label column: 0-based"), explained);
        assertTrue(model.explainParams().contains("topK"));
    }

    @Test
    void invalidParamsAreRefusedWithTheirName() {
        ResNetClassifier e = new ResNetClassifier();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setTopK(0)).getMessage().contains("topK"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setTrainingMaster("ring"))
                .getMessage().contains("trainingMaster"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setFamily("mnist"))
                .getMessage().contains("family"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setBatchSize(0))
                .getMessage().contains("batchSize"));
        // defaults
        assertEquals("image/encoded", e.getImageCol());
        assertEquals("label", e.getLabelCol());
        assertEquals(224, e.getImageSize());
        assertEquals(10, e.setFamily("cifar10").getNumClasses());
        assertTrue(Double.isNaN(e.getBaseLearningRate()), "unset: the family's default");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setBaseLearningRate(0))
                .getMessage().contains("baseLearningRate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.setWarmupEpochs(-1))
                .getMessage().contains("warmupEpochs"));
        // checks of fit before any training
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
                () -> e.setResnetSize(9).setNumClasses(CLASSES).fit(validation));
        assertTrue(depth.getMessage().contains("9"), depth.getMessage());
        IllegalArgumentException oneBased = assertThrows(IllegalArgumentException.class,
                () -> e.setResnetSize(8).fit(shapes("shapes-validation-00000-of-00001")
                        .drop("label").withColumnRenamed("image/class/label", "label")));
        assertTrue(oneBased.getMessage().contains("0-based"), oneBased.getMessage());
        IllegalArgumentException warmup = assertThrows(IllegalArgumentException.class,
                () -> e.copy(ParamMap.empty()).setLrSchedule("linear").setEpochs(2).setWarmupEpochs(2)
                        .fit(validation));
        assertTrue(warmup.getMessage().contains("warmupEpochs 2.0"), warmup.getMessage());
        IllegalArgumentException notBinary = assertThrows(IllegalArgumentException.class,
                () -> model.copy(ParamMap.empty()).setImageCol("label").transform(validation));
        assertTrue(notBinary.getMessage().contains("must be binary"), notBinary.getMessage());
    }

    @Test
    void scoresBinaryFileJpegsAndNullsUnreadableImages() {
        String dir = System.getProperty("shared.data.dir", "../shared/data");
        Dataset<Row> jpegs = spark.read().format("binaryFile").option("pathGlobFilter", "n016*.JPEG")
                .load(new File(dir, "jpeg/imagenet-sample-200").toURI().toString()).select("path", "content");
        long n = jpegs.count();
        assertTrue(n >= 2, "n=" + n);
        StructType schema = jpegs.schema();
        Dataset<Row> bad = spark.createDataFrame(List.of(
                RowFactory.create("not-an-image", "GIF89a? no".getBytes(StandardCharsets.US_ASCII)),
                RowFactory.create("null", null)), schema);
        List<Row> rows = model.copy(ParamMap.empty()).setImageCol("content")
                .transform(jpegs.union(bad)).select("path", "prediction", "probability", "topK").collectAsList();
        assertEquals(n + 2, rows.size());
        for (Row r : rows) {
            boolean unreadable = r.getString(0).equals("not-an-image") || r.getString(0).equals("null");
            if (unreadable) {
                assertTrue(r.isNullAt(1) && r.isNullAt(2) && r.isNullAt(3), r.toString());
            } else {
                assertFalse(r.isNullAt(1), r.toString());
                assertEquals(1.0, Arrays.stream(((Vector) r.get(2)).toArray()).sum(), 1e-4);
            }
        }
        assertNotNull(model.classNames());
        assertNotEquals(0, model.classNames().size());
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

}
