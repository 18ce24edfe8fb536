package org.resnetspark.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.cli.Main;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.TestData;
import org.resnetspark.data.imagenet.ImageNetPreprocessing;
import org.resnetspark.data.imagenet.PreprocessingOptions;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.EpochMetrics;
import org.resnetspark.train.RunReport;
import picocli.CommandLine;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * export and predict without Spark, on real images: bundle content, bundle = checkpoint (tensor and encoded
 * input), CIFAR standardization, CLI output formats, per-image errors, refusing to overwrite.
 */
class ExportPredictTest {

    static final ResNetSpec IMAGENET = ResNetSpec.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V1_5)
            .withImageSize(32).withNumClasses(4);
    static final ResNetSpec CIFAR = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withNumClasses(3);
    static final List<String> NAMES = List.of("tench", "electric ray", "airship", "pencil sharpener");
    static final String[] PHOTOS = {"n01440764_tench.JPEG", "n01496331_electric_ray.JPEG",
        "n02692877_airship.JPEG", "n03908714_pencil_sharpener.JPEG"};

    @TempDir
    static File tmp;
    static String imagenetRun;
    static String imagenetBundle;
    static String cifarBundle;

    @BeforeAll
    static void trainedRunsAndBundles() throws Exception {
        imagenetRun = modelDir("imagenet-run", IMAGENET, NAMES);
        cifarBundle = new File(tmp, "cifar-bundle").getPath();
        imagenetBundle = new File(tmp, "imagenet-bundle").getPath();
        String cifarRun = modelDir("cifar-run", CIFAR, List.of("a", "b", "c"));
        assertEquals(0, run(new StringWriter(), new StringWriter(), "export", "--model_dir", cifarRun,
                "--export_dir", cifarBundle));
        StringWriter out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), "export", "--model_dir", imagenetRun, "--export_dir",
                imagenetBundle, "--checkpoint", "best"));
        assertTrue(out.toString().startsWith("exported "), out.toString());
    }

    /** A model_dir as training leaves it: checkpoints, checkpoint.json, metrics.json with class names. */
    static String modelDir(String name, ResNetSpec spec, List<String> classes) throws Exception {
        File dir = new File(tmp, name);
        ComputationGraph net = ResNetBuilder.of(spec).seed(17).build();
        // BN statistics away from 0/1, so inference mode matters
        Nd4j.getRandom().setSeed(23);
        net.params().addi(Nd4j.rand(DataType.FLOAT, net.params().shape()).muli(0.05));
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), new Configuration(), 3);
        store.save(net, 1, 4, 0.25);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("dataset", spec.family().flagValue());
        settings.put("image_size", spec.imageSize());
        settings.put("batch_size", 16);
        RunReport report = new RunReport(store, settings, classes, 0);
        int k = classes.size();
        report.add(new EpochMetrics(1, 4, 0.1, 1.5, 64, 2.0, 0, new EpochMetrics.Eval(0.25, 1.0, 1.4, 64,
                Collections.nCopies(k, 0.25), new long[k][k], 1.0)));
        return dir.getPath();
    }

    static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    static float[] flat(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector();
    }

    static ComputationGraph checkpointNetwork(String modelDir) throws Exception {
        return new CheckpointStore(new Path(new File(modelDir).toURI()), new Configuration(), 3).loadLatest()
                .orElseThrow().network();
    }

    @Test
    void bundleDescribesItself() throws Exception {
        JsonNode m = new ObjectMapper().readTree(new File(imagenetBundle, "metadata.json"));
        assertEquals(Set("metadata.json", "model.zip"), Set(new File(imagenetBundle).list()));
        JsonNode model = m.get("model");
        assertEquals("imagenet", model.get("family").asText());
        assertEquals(18, model.get("resnet_size").asInt());
        assertEquals("1", model.get("resnet_version").asText());
        assertEquals(4, model.get("num_classes").asInt());
        assertEquals(32, model.get("image_size").asInt());
        assertEquals("channels_first", model.get("data_format").asText());
        assertEquals("fp32", model.get("dtype").asText());
        assertEquals("electric ray", m.get("classes").get(1).get("name").asText());
        JsonNode p = m.get("preprocessing");
        assertEquals("imagenet_eval", p.get("kind").asText());
        assertEquals(37, p.get("eval_resize_min").asInt(), "round(32 * 256 / 224)");
        assertEquals(123.68, p.get("means_rgb").get(0).asDouble(), 1e-5);
        assertEquals("[-1,3,32,32]", m.get("inputs").get("tensor").get("shape").toString());
        assertEquals(0.25, m.get("training").get("checkpoint_epoch").get("eval").get("top1").asDouble());
        assertEquals("best", m.get("source").get("selected_by").asText());
        assertTrue(m.get("source").get("checkpoint").asText().endsWith("checkpoints/best.zip"));
        assertEquals(1, m.get("source").get("epochs_done").asInt());
        assertEquals("1.0.0-M2.1", m.get("versions").get("deeplearning4j").asText());
        assertTrue(m.get("exported_at").asText().endsWith("Z"));
        String[] leftovers = tmp.list((d, n) -> n.startsWith("._"));
        assertEquals(0, leftovers.length, String.join(",", leftovers));
    }

    @Test
    void bundlePredictsExactlyAsTheCheckpointForTensorsAndEncodedPhotos() throws Exception {
        ExportedModel bundle = ExportedModel.load(imagenetBundle, new Configuration());
        ComputationGraph ckpt = checkpointNetwork(imagenetRun);

        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 3, 3, 32, 32).muli(50);
        assertArrayEquals(flat(ckpt.outputSingle(false, x)), flat(bundle.predictTensor(x)), "tensor input");

        byte[][] photos = new byte[PHOTOS.length][];
        ImageNetPreprocessing eval = new ImageNetPreprocessing(PreprocessingOptions.forOutputSize(32));
        float[] values = new float[PHOTOS.length * eval.valuesPerImage()];
        for (int i = 0; i < PHOTOS.length; i++) {
            photos[i] = TestData.bytes(TestData.samplePhotos().resolve(PHOTOS[i]));
            eval.eval(photos[i], PHOTOS[i], values, i * eval.valuesPerImage());
        }
        INDArray expected = ckpt.outputSingle(false, Nd4j.create(values, new long[] {PHOTOS.length, 3, 32, 32}, 'c'));
        INDArray got = bundle.predictEncoded(photos);
        assertArrayEquals(flat(expected), flat(got), "encoded input = eval preprocessing + checkpoint");
        assertEquals(PHOTOS.length, got.rows());
        assertEquals(1.0, got.getRow(0).sumNumber().doubleValue(), 1e-5);
    }

    @Test
    void cifarBundleStandardizesDecodedPixelsPerImage() throws Exception {
        ExportedModel bundle = ExportedModel.load(cifarBundle, new Configuration());
        assertEquals(List.of("a", "b", "c"), bundle.classNames());
        String shapes = TestData.dir().resolve("tfrecord/shapes-validation-00000-of-00001").toString();
        PredictionInputs.Item first = new PredictionInputs(new Configuration()).read(shapes).get(0);
        float[] got = flat(bundle.preprocess(first.encoded()));

        DecodedImage img = ImageDecoder.likeTensorFlow().decode(first.encoded(), "ref");
        assertEquals(32, img.width(), "a 32x32 image: no resize");
        float[] ref = new float[3 * 32 * 32];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    ref[(c * 32 + y) * 32 + x] = img.sample(x, y, 2 - c); // RGB planes from BGR samples
                }
            }
        }
        double mean = 0;
        for (float v : ref) {
            mean += v / ref.length;
        }
        double var = 0;
        for (float v : ref) {
            var += (v - mean) * (v - mean) / ref.length;
        }
        double scale = 1 / Math.max(Math.sqrt(var), 1 / Math.sqrt(ref.length));
        for (int i = 0; i < ref.length; i++) {
            assertEquals((ref[i] - mean) * scale, got[i], 1e-5, "value " + i);
        }
    }

    @Test
    void predictPrintsTopKPerImageAsTextAndJson() throws Exception {
        List<String> files = new ArrayList<>();
        for (String p : PHOTOS) {
            files.add(TestData.samplePhotos().resolve(p).toString());
        }
        List<String> args = new ArrayList<>(List.of("predict", "--export_dir", imagenetBundle, "--top_k", "3",
                "--batch_size", "3"));
        args.addAll(files);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, args.toArray(String[]::new)), err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals(PHOTOS.length, lines.length, out.toString());
        for (int i = 0; i < lines.length; i++) {
            assertTrue(lines[i].matches(java.util.regex.Pattern.quote(files.get(i))
                    + ": [a-z ]+ \\([01]\\.\\d{4}\\), [a-z ]+ \\([01]\\.\\d{4}\\), [a-z ]+ \\([01]\\.\\d{4}\\)"), lines[i]);
        }

        args.add(2 + 5, "--json");
        out = new StringWriter();
        assertEquals(0, run(out, new StringWriter(), args.toArray(String[]::new)));
        ExportedModel bundle = ExportedModel.load(imagenetBundle, new Configuration());
        String[] json = out.toString().split("\n");
        for (int i = 0; i < json.length; i++) {
            JsonNode o = new ObjectMapper().readTree(json[i]);
            assertEquals(files.get(i), o.get("source").asText());
            JsonNode preds = o.get("predictions");
            assertEquals(3, preds.size());
            INDArray probs = bundle.predictEncoded(TestData.bytes(java.nio.file.Path.of(files.get(i))));
            List<Prediction> top = bundle.topK(probs, 3).get(0);
            for (int r = 0; r < 3; r++) {
                assertEquals(r + 1, preds.get(r).get("rank").asInt());
                assertEquals(top.get(r).classIndex(), preds.get(r).get("class").asInt());
                assertEquals(NAMES.get(top.get(r).classIndex()), preds.get(r).get("name").asText());
                assertEquals(top.get(r).probability(), preds.get(r).get("probability").asDouble(), 1e-6,
                        "batched CLI and single-image API agree");
                if (r > 0) {
                    assertTrue(preds.get(r).get("probability").asDouble()
                            <= preds.get(r - 1).get("probability").asDouble());
                }
            }
        }
    }

    @Test
    void predictReadsTfRecordsAndReportsBadImagesPerImage() throws Exception {
        String shapes = TestData.dir().resolve("tfrecord/shapes-validation-00000-of-00001").toString();
        String truncated = TestData.quirk("truncated-half.JPEG").toString();
        String good = TestData.quirk("small-64x64.jpg").toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "predict", "--export_dir", cifarBundle, "--json", "--top_k", "10", good, truncated,
                shapes);
        assertEquals(1, code, err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals(2 + 165, lines.length, "one object per image, the bad one included");
        ObjectMapper json = new ObjectMapper();
        assertEquals(3, json.readTree(lines[0]).get("predictions").size(), "top_k capped at the 3 classes");
        JsonNode bad = json.readTree(lines[1]);
        assertEquals(truncated, bad.get("source").asText());
        assertTrue(bad.has("error") && !bad.has("predictions"), lines[1]);
        assertEquals(shapes + "#0", json.readTree(lines[2]).get("source").asText());
        assertEquals(shapes + "#164", json.readTree(lines[166]).get("source").asText());
        String[] errLines = err.toString().split("\n");
        assertEquals(2, errLines.length, err.toString());
        assertTrue(errLines[0].startsWith("error: " + truncated + ": "), errLines[0]);
        assertEquals("error: 1 of 167 images could not be read", errLines[1]);
    }

    /**
     * score on Spark: images in nested directories (one truncated, one file not an image) and TFRecords to Parquet,
     * each row equal to the bundle's own prediction; bad files are rows with the reason, not failures.
     */
    @Test
    void scoreWritesTopKPerImageToParquetAndReportsBadImagesPerRow() throws Exception {
        java.nio.file.Path images = tmp.toPath().resolve("score-images");
        Files.createDirectories(images.resolve("nested"));
        for (String p : PHOTOS) {
            Files.copy(TestData.samplePhotos().resolve(p), images.resolve("nested").resolve(p));
        }
        Files.copy(TestData.quirk("truncated-half.JPEG"), images.resolve("truncated-half.JPEG"));
        Files.writeString(images.resolve("notes.txt"), "not an image");
        String out = tmp + "/scores-images";
        // the CLI uses this session and leaves it running (it stops only a session it created)
        org.apache.spark.sql.SparkSession spark = org.resnetspark.testing.LocalSpark.start(2);
        try {
            scoreImagesAndTfRecords(spark, images, out);
        } finally {
            spark.stop();
        }
    }

    private static void scoreImagesAndTfRecords(org.apache.spark.sql.SparkSession spark, java.nio.file.Path images,
                                                String out) throws Exception {
        StringWriter stdout = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(stdout, err, "score", "--export_dir", imagenetBundle, "--input", images.toString(),
                "--output", out, "--top_k", "3", "--batch_size", "2"), err.toString());
        assertEquals("scored " + (PHOTOS.length + 2) + " images (2 could not be read) to " + out + "\n",
                stdout.toString());

        ExportedModel bundle = ExportedModel.load(imagenetBundle, new Configuration());
        List<org.apache.spark.sql.Row> rows = spark.read().parquet(out).collectAsList();
        assertEquals(PHOTOS.length + 2, rows.size());
        for (org.apache.spark.sql.Row r : rows) {
            String source = r.getAs("source");
            if (source.endsWith("notes.txt")) {
                assertTrue(((String) r.getAs("error")).startsWith("is neither a JPEG/PNG image nor a TFRecord file"),
                        r.toString());
                continue;
            }
            if (source.endsWith("truncated-half.JPEG")) {
                assertEquals(ScoreCommand.UNREADABLE, r.getAs("error"));
                assertTrue(r.isNullAt(r.fieldIndex("top_k_classes")));
                continue;
            }
            assertTrue(r.isNullAt(r.fieldIndex("error")), source);
            String photo = source.substring(source.lastIndexOf('/') + 1);
            List<Prediction> top = bundle.topK(bundle.predictEncoded(TestData.bytes(TestData.samplePhotos()
                    .resolve(photo))), 3).get(0);
            List<Integer> classes = r.getList(r.fieldIndex("top_k_classes"));
            List<String> names = r.getList(r.fieldIndex("top_k_names"));
            List<Double> probabilities = r.getList(r.fieldIndex("top_k_probabilities"));
            for (int i = 0; i < 3; i++) {
                assertEquals(top.get(i).classIndex(), classes.get(i), photo);
                assertEquals(NAMES.get(classes.get(i)), names.get(i));
                assertEquals(top.get(i).probability(), probabilities.get(i), 1e-5, "Spark batch = bundle API");
            }
        }

        String shapes = TestData.dir().resolve("tfrecord/shapes-validation-00000-of-00001").toString();
        String tfOut = tmp + "/scores-tfrecord";
        assertEquals(0, run(new StringWriter(), err, "score", "--export_dir", cifarBundle, "--input", shapes,
                "--output", tfOut), err.toString());
        List<org.apache.spark.sql.Row> records = spark.read().parquet(tfOut).orderBy("source").collectAsList();
        assertEquals(165, records.size());
        java.util.Set<String> sources = new java.util.HashSet<>();
        for (org.apache.spark.sql.Row r : records) {
            String source = r.getAs("source");
            sources.add(source.substring(source.lastIndexOf('/') + 1));
            assertTrue(r.isNullAt(r.fieldIndex("error")));
            assertEquals(3, r.getList(r.fieldIndex("top_k_classes")).size(), "top_k capped at the 3 classes");
        }
        String name = "shapes-validation-00000-of-00001";
        assertTrue(sources.contains(name + "#0") && sources.contains(name + "#164"), sources.toString());
        assertEquals(165, sources.size(), "every record once");

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "score", "--export_dir", cifarBundle, "--input", shapes,
                "--output", tfOut));
        assertEquals("error: --output " + tfOut + " already exists (add --overwrite to replace it)\n",
                err.toString());
    }

    @Test
    void missingBundleAndExistingExportDirAreOneLineUsageErrors() throws Exception {
        StringWriter err = new StringWriter();
        String photo = TestData.samplePhotos().resolve(PHOTOS[0]).toString();
        assertEquals(2, run(new StringWriter(), err, "predict", "--export_dir", tmp + "/none", photo));
        assertEquals(1, err.toString().split("\n").length, err.toString());
        assertTrue(err.toString().startsWith("error: --export_dir " + tmp + "/none holds no resnet-spark bundle"),
                err.toString());

        File meta = new File(imagenetBundle, "metadata.json");
        String before = Files.readString(meta.toPath());
        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "export", "--model_dir", imagenetRun, "--export_dir",
                imagenetBundle));
        assertEquals("error: --export_dir " + imagenetBundle + " already exists; use --overwrite to replace it\n",
                err.toString());
        assertEquals(before, Files.readString(meta.toPath()), "the existing bundle is untouched");

        String copy = new File(tmp, "overwritten").getPath();
        assertEquals(0, run(new StringWriter(), new StringWriter(), "export", "--model_dir", imagenetRun,
                "--export_dir", copy, "--checkpoint", "best"));
        assertEquals(0, run(new StringWriter(), new StringWriter(), "export", "--model_dir", imagenetRun,
                "--export_dir", copy, "--overwrite"));
        assertEquals("latest", new ObjectMapper().readTree(new File(copy, "metadata.json")).get("source")
                .get("selected_by").asText(), "replaced by the second export");
        assertFalse(Arrays.stream(tmp.list()).anyMatch(n -> n.startsWith("._")), Arrays.toString(tmp.list()));

        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "export", "--model_dir", tmp + "/empty", "--export_dir",
                tmp + "/x"));
        assertTrue(err.toString().startsWith("error: --model_dir " + tmp + "/empty holds no checkpoint"),
                err.toString());
    }

    private static java.util.Set<String> Set(String... s) {
        return new java.util.TreeSet<>(Arrays.asList(s));
    }
}
