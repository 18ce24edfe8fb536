package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train then evaluate through the command line, as a user runs them (synthetic data, local Spark). */
class TrainEvaluateCliTest {

    @Test
    void trainResumeCleanAndEvaluate(@TempDir File dir) throws Exception {
        String[] common = {"--use_synthetic_data", "--synthetic_images", "32", "--dataset", "cifar10",
                "--resnet_size", "8", "--image_size", "16", "--batch_size", "16", "--epochs_between_evals", "1"};
        String modelDir = new File(dir, "model").getAbsolutePath();
        File benchmarkDir = new File(dir, "benchmark");
        CliTest.Run first = CliTest.run(concat(new String[] {"train", "--model_dir", modelDir, "--train_epochs", "1",
                "--benchmark_log_dir", benchmarkDir.getAbsolutePath()}, common));
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("trained 1 epochs (2 steps)"), first.out());
        JsonNode run = new ObjectMapper().readTree(new File(benchmarkDir, "benchmark_run.log"));
        assertEquals("resnet8", run.get("model_name").asText());
        assertEquals("cifar10", run.get("dataset").get("name").asText());
        java.util.List<String> metricLines = java.nio.file.Files.readAllLines(
                new File(benchmarkDir, "metric.log").toPath());
        JsonNode accuracy = metricLines.stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l);
            } catch (java.io.IOException e) {
                throw new AssertionError(l, e);
            }
        }).filter(m -> m.get("name").asText().equals("accuracy")).findFirst().orElseThrow();
        assertEquals(2, accuracy.get("global_step").asLong());
        assertTrue(accuracy.get("value").asDouble() >= 0 && accuracy.get("value").asDouble() <= 1);

        CliTest.Run resumed = CliTest.run(concat(new String[] {"train", "--model_dir", modelDir,
                "--train_epochs", "2"}, common));
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("trained 2 epochs (4 steps)"), "continues at epoch 2: " + resumed.out());

        CliTest.Run clean = CliTest.run(concat(new String[] {"train", "--model_dir", modelDir, "--train_epochs", "1",
                "--clean"}, common));
        assertEquals(0, clean.code(), clean.err());
        assertTrue(clean.out().contains("trained 1 epochs (2 steps)"), "--clean starts over: " + clean.out());

        CliTest.Run eval = CliTest.run("evaluate", "--model_dir", modelDir, "--use_synthetic_data",
                "--synthetic_images", "32", "--dataset", "cifar10", "--resnet_size", "8", "--image_size", "16",
                "--json");
        assertEquals(0, eval.code(), eval.err());
        JsonNode j = new ObjectMapper().readTree(eval.out());
        assertEquals(1, j.get("epochs_done").asInt());
        assertEquals(32, j.get("examples").asLong());
        assertTrue(j.get("top1").asDouble() >= 0 && j.get("top5").asDouble() >= j.get("top1").asDouble());

        CliTest.Run none = CliTest.run("evaluate", "--model_dir", new File(dir, "empty").getAbsolutePath(),
                "--use_synthetic_data", "--dataset", "cifar10", "--resnet_size", "8");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("holds no checkpoint"), none.err());
    }

    @Test
    void scheduleFlagsSetThePeakRateAndTheWarmUp(@TempDir File dir) throws Exception {
        String modelDir = new File(dir, "model").getAbsolutePath();
        // 32 images in batches of 16: 2 steps per epoch; peak 0.4 x 16/128 = 0.05 after a 1-epoch warm-up, then a
        // linear decay to 0 at the end of epoch 3 (step 6)
        CliTest.Run r = CliTest.run("train", "--use_synthetic_data", "--synthetic_images", "32", "--dataset",
                "cifar10", "--resnet_size", "8", "--image_size", "16", "--batch_size", "16", "--model_dir", modelDir,
                "--train_epochs", "3", "--epochs_between_evals", "3", "--lr_schedule", "linear",
                "--base_learning_rate", "0.4", "--warmup_epochs", "1");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = new ObjectMapper().readTree(new File(modelDir, "metrics.json"));
        assertEquals("lr 0.05000, 2.0 steps/epoch, linear warm-up 1.0 epochs, linear decay to 0 at epoch 3.0",
                metrics.get("run").get("learning_rate").asText());
        double[] firstStepRates = {0, 0.05, 0.025};
        for (int e = 0; e < 3; e++) {
            assertEquals(firstStepRates[e], metrics.get("epochs").get(e).get("learning_rate").asDouble(), 1e-9);
        }
    }

    @Test
    void unwritableModelDirIsAUsageErrorBeforeTraining(@TempDir File dir) throws Exception {
        File notADir = new File(dir, "file");
        java.nio.file.Files.writeString(notADir.toPath(), "x");
        CliTest.Run r = CliTest.run("train", "--use_synthetic_data", "--dataset", "cifar10", "--resnet_size", "8",
                "--image_size", "16", "--batch_size", "16", "--model_dir", new File(notADir, "model").getPath());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--model_dir ") && r.err().contains("file/model is not writable: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("x", java.nio.file.Files.readString(notADir.toPath()), "nothing damaged");
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
