package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.imagenet.RawImageNetFixture;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.hadoop.util.TFRecordReader;
import org.tensorflow.hadoop.util.TFRecordWriter;

import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert then train through the command line, on the 200 real photos at 64x64 (local Spark). */
class ImageNetCliTest {

    @Test
    void convertUsageErrors(@TempDir Path dir) {
        CliTest.Run shards = CliTest.run("convert", "--input_dir", dir.toString(), "--output_dir",
                dir.resolve("out").toString(), "--train_shards", "0");
        assertEquals(2, shards.code());
        assertEquals("error: --train_shards/--validation_shards: shard counts must be >= 1: train 0, validation 128",
                shards.err().strip());
        CliTest.Run missing = CliTest.run("convert", "--output_dir", dir.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--input_dir"), missing.err());
        CliTest.Run layout = CliTest.run("convert", "--input_dir", dir.toString(), "--output_dir",
                dir.resolve("out").toString());
        assertEquals(2, layout.code());
        assertTrue(layout.err().strip().startsWith("error: file:" + dir.resolve("train")) && layout.err().contains(
                "is not a directory; --input_dir needs train/<synset>/*.JPEG and validation/"), layout.err());
    }

    @Test
    void convertThenTrainWritesCheckpointAndMetrics(@TempDir Path dir) throws Exception {
        RawImageNetFixture raw = RawImageNetFixture.create(dir);
        String shards = dir.resolve("shards").toString();
        CliTest.Run convert = CliTest.run("convert", "--input_dir", raw.root.toString(), "--output_dir", shards,
                "--labels_file", raw.labelsFile.toString(), "--bbox_csv", raw.bboxCsv.toString(),
                "--train_shards", "4", "--validation_shards", "2");
        assertEquals(0, convert.code(), convert.err());
        assertEquals("converted 162 training and 40 validation images into 6 shards in " + shards
                + " (2 re-encoded as RGB JPEG)", convert.out().strip());
        assertTrue(new File(shards, "train-00003-of-00004").isFile());

        CliTest.Run again = CliTest.run("convert", "--input_dir", raw.root.toString(), "--output_dir", shards,
                "--labels_file", raw.labelsFile.toString(), "--train_shards", "4", "--validation_shards", "2");
        assertEquals(2, again.code(), "existing shards are a usage error");
        assertTrue(again.err().contains("choose an empty --output_dir"), again.err());

        Path model = dir.resolve("model");
        CliTest.Run train = CliTest.run("train", "--data_dir", shards, "--model_dir", model.toString(),
                "--image_size", "64", "--resnet_size", "18", "--batch_size", "16", "--train_epochs", "1",
                "--max_train_steps", "2");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("trained 1 epochs (2 steps)"), train.out());
        assertTrue(Files.isRegularFile(model.resolve("checkpoints/epoch-0001.zip")), "checkpoint written");
        JsonNode metrics = new ObjectMapper().readTree(model.resolve("metrics.json").toFile());
        JsonNode epoch = metrics.get("epochs").get(0);
        assertEquals(0, epoch.get("bad_records").asLong());
        assertEquals(40, epoch.get("eval").get("examples").asLong(), "every validation image evaluated");
        double top1 = epoch.get("eval").get("top1").asDouble();
        assertTrue(top1 >= 0 && top1 <= 1, "top-1 " + top1);
    }

    /**
     * Truncated JPEGs (valid TFRecord framing) inside a training shard surface while a round is prepared for
     * training: under fail as a one-line error naming the shard, under skip as counted bad records.
     */
    @Test
    void corruptJpegsDuringTrainingFailOrAreCounted(@TempDir Path dir) throws Exception {
        RawImageNetFixture raw = RawImageNetFixture.create(dir);
        String shards = dir.resolve("shards").toString();
        assertEquals(0, CliTest.run("convert", "--input_dir", raw.root.toString(), "--output_dir", shards,
                "--labels_file", raw.labelsFile.toString(), "--train_shards", "2", "--validation_shards", "1").code());
        Path shard = dir.resolve("shards/train-00000-of-00002");
        int truncated = truncateJpegs(shard);
        assertTrue(truncated > 50, truncated + " records truncated");
        String[] common = {"train", "--data_dir", shards, "--image_size", "32", "--resnet_size", "18",
                "--batch_size", "16", "--train_epochs", "1", "--max_train_steps", "2"};

        CliTest.Run fail = CliTest.run(concat(common, "--model_dir", dir.resolve("fail").toString(),
                "--on_bad_record", "fail"));
        assertEquals(1, fail.code(), fail.err());
        String line = fail.err().strip();
        assertTrue(!line.contains("\n") && line.contains("train-00000-of-00002") && line.contains("--on_bad_record fail"),
                line);
        assertTrue(!line.contains("\tat ") && !line.contains("Driver stacktrace"), "no stack trace: " + line);

        Path model = dir.resolve("skip");
        CliTest.Run skip = CliTest.run(concat(common, "--model_dir", model.toString(), "--on_bad_record", "skip"));
        assertEquals(0, skip.code(), skip.err());
        JsonNode epoch = new ObjectMapper().readTree(model.resolve("metrics.json").toFile()).get("epochs").get(0);
        assertTrue(epoch.get("bad_records").asLong() > 0, epoch.toString());
    }

    /** Rewrites a TFRecord file with every image/encoded cut to its first 300 bytes; returns the record count. */
    private static int truncateJpegs(Path file) throws IOException {
        List<byte[]> records = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            TFRecordReader reader = new TFRecordReader(in, true);
            for (byte[] r = reader.read(); r != null; r = reader.read()) {
                Example e = Example.parseFrom(r);
                ByteString jpeg = e.getFeatures().getFeatureOrThrow("image/encoded").getBytesList().getValue(0);
                Feature cut = Feature.newBuilder().setBytesList(BytesList.newBuilder()
                        .addValue(jpeg.substring(0, 300))).build();
                records.add(e.toBuilder().setFeatures(e.getFeatures().toBuilder().putFeature("image/encoded", cut))
                        .build().toByteArray());
            }
        }
        // the converter wrote through Hadoop's local filesystem, whose checksum sidecar would no longer match
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            TFRecordWriter writer = new TFRecordWriter(out);
            for (byte[] r : records) {
                writer.write(r);
            }
        }
        return records.size();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
