package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.imagenet.RawImageNetFixture;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
