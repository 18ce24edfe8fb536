package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing, defaults, exit codes and error messages of the command line, without running a job. */
class CliTest {

    /** Runs the CLI in-process; returns exit code, stdout and stderr. */
    record Run(int code, String out, String err) { }

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void benchInputMeasuresPreprocessingAgainstFullDecodeInOneRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path photos = java.nio.file.Path.of(System.getProperty("shared.data.dir", "../shared/data"),
                "jpeg/imagenet-sample-200");
        try (var files = java.nio.file.Files.list(photos)) {
            for (java.nio.file.Path p : files.filter(f -> f.toString().endsWith(".JPEG")).sorted().limit(4).toList()) {
                java.nio.file.Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        Run r = run("bench", "input", "--data_dir", dir.toString(), "--passes", "1", "--image_size", "64", "--json");
        assertEquals(0, r.code, r.err);
        com.fasterxml.jackson.databind.JsonNode o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out);
        assertEquals(4, o.get("photos").asInt());
        for (String k : new String[] {"baseline_images_per_sec", "train_images_per_sec", "eval_images_per_sec",
                "tfrecord_read_images_per_sec", "train_pipeline_images_per_sec", "eval_pipeline_images_per_sec",
                "train_from_tfrecords_images_per_sec"}) {
            assertTrue(o.get(k).asDouble() > 0, k + " in " + r.out);
        }
        assertEquals(o.get("train_images_per_sec").asDouble() / o.get("baseline_images_per_sec").asDouble(),
                o.get("train_vs_baseline").asDouble(), 0.01);
        for (String k : new String[] {"train", "train_pipeline", "train_from_tfrecords", "train_cached_pipeline"}) {
            com.fasterxml.jackson.databind.JsonNode perPass = o.get(k + "_vs_baseline_per_pass");
            assertEquals(1, perPass.size(), k + " in " + r.out);
            assertEquals(o.get(k + "_vs_baseline").asDouble(), perPass.get(0).asDouble(), 0.011, k + " in " + r.out);
        }
        Run empty = run("bench", "input", "--data_dir", dir.resolve("none").toString());
        assertEquals(2, empty.code);
        assertTrue(empty.err.contains("--data_dir") && empty.err.contains("not a directory"), empty.err);
    }

    @Test
    void helpListsSubcommands() {
        Run r = run("--help");
        assertEquals(0, r.code);
        assertTrue(r.out.contains("describe"), r.out);
    }

    @Test
    void modelOptionDefaults() {
        DescribeCommand cmd = CommandLine.populateCommand(new DescribeCommand());
        ResNetSpec imagenet = cmd.model.spec(cmd.model.family(DatasetFamily.IMAGENET));
        assertEquals(ResNetSpec.of(DatasetFamily.IMAGENET, 50, ResNetVersion.V1_5), imagenet);
        ResNetSpec cifar = cmd.model.spec(DatasetFamily.CIFAR10);
        assertEquals(ResNetSpec.of(DatasetFamily.CIFAR10, 56, ResNetVersion.V1_5), cifar);
    }

    @Test
    void versionAliasesAndChannelsLast() {
        DescribeCommand cmd = CommandLine.populateCommand(new DescribeCommand(), "--resnet_version", "1.5",
                "--data_format", "channels_last", "--dataset", "cifar10", "--resnet_size", "20", "--dtype", "fp16");
        ResNetSpec spec = cmd.model.spec(cmd.model.family(DatasetFamily.IMAGENET));
        assertEquals(ResNetVersion.V1_5, spec.version());
        assertEquals("NHWC", spec.format().name());
        assertEquals("HALF", spec.dataType().name());
        assertEquals(DatasetFamily.CIFAR10, spec.family());
        assertEquals(ResNetVersion.V1_ORIGINAL, ResNetVersion.parse("1_original"));
    }

    @Test
    void badSizeIsUsageErrorListingAllowedSizes() {
        Run r = run("describe", "--resnet_size", "51");
        assertEquals(2, r.code);
        assertEquals("error: --resnet_size: Invalid resnet_size 51 for imagenet: expected one of "
                + "[18, 34, 50, 101, 152, 200]", r.err.strip());
        Run c = run("describe", "--dataset", "cifar10", "--resnet_size", "21");
        assertEquals(2, c.code);
        assertTrue(c.err.contains("expected 6n+2 with n >= 1"), c.err);
    }

    @Test
    void badVersionFormatAndDtypeAreUsageErrors() {
        assertEquals(2, run("describe", "--resnet_version", "3").code);
        assertTrue(run("describe", "--resnet_version", "3").err.contains("expected one of 1 (= 1.5), 1.5, 2, "
                + "1_original"));
        assertTrue(run("describe", "--data_format", "chw").err.contains("expected channels_first or"
                + " channels_last"));
        assertEquals(2, run("describe", "--dtype", "int8").code);
        assertEquals(2, run("describe", "--no_such_flag").code);
        assertEquals(2, run("describe", "--resnet_size", "abc").code);
        assertEquals(2, run().code, "a subcommand is required");
        assertThrows(CommandLine.ParameterException.class,
                () -> CommandLine.populateCommand(new DescribeCommand(), "--resnet_size"));
    }

    @Test
    void describeJsonHasTheDocumentedKeys() throws Exception {
        Run r = run("describe", "--dataset", "cifar10", "--resnet_size", "20", "--json");
        assertEquals(0, r.code, r.err);
        JsonNode json = new ObjectMapper().readTree(r.out);
        assertEquals(20, json.get("resnet_size").asInt());
        assertEquals("1", json.get("resnet_version").asText());
        assertEquals(10, json.get("num_classes").asInt());
        // CIFAR ResNet-20 (torchvision-style shortcuts): 272,474 trainable parameters
        assertEquals(272_474, json.get("trainable_params").asLong());
        assertTrue(json.get("total_params").asLong() > json.get("trainable_params").asLong());
        assertTrue(json.get("macs_per_image").asLong() > 40_000_000L);
        assertEquals("[64,8,8]", json.get("vertex_shapes").get("block_layer3").toString());
    }

    @Test
    void describeTextPrintsCountsAndShapes() {
        Run r = run("describe", "--dataset", "cifar10", "--resnet_size", "8");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("trainable parameters: 78,042"), r.out);
        assertTrue(r.out.contains("block_layer2"), r.out);
    }

    @Test
    void trainUsageErrors() {
        Run noData = run("train", "--model_dir", "target/never");
        assertEquals(2, noData.code);
        assertEquals("error: --data_dir is required (or --use_synthetic_data)", noData.err.strip());
        Run gpus = run("train", "--use_synthetic_data", "--model_dir", "target/never", "--num_gpus", "2");
        assertEquals(2, gpus.code);
        assertTrue(gpus.err.contains("needs the CUDA build of resnet-spark (mvn -Pcuda)"), gpus.err);
        Run master = run("train", "--use_synthetic_data", "--model_dir", "target/never", "--training_master", "ps");
        assertEquals(2, master.code);
        assertTrue(master.err.contains("expected averaging or sharing"), master.err);
        assertEquals(2, run("train", "--use_synthetic_data").code, "--model_dir is required");
        Run rate = run("train", "--use_synthetic_data", "--model_dir", "target/never", "--base_learning_rate", "0");
        assertEquals(2, rate.code);
        assertEquals("error: --base_learning_rate must be > 0, got 0.0", rate.err.strip());
        Run warmup = run("train", "--use_synthetic_data", "--model_dir", "target/never", "--lr_schedule", "linear",
                "--train_epochs", "3", "--warmup_epochs", "3");
        assertEquals(2, warmup.code);
        assertEquals("error: --warmup_epochs 3.0: with --lr_schedule linear it must be shorter than the run"
                + " (3 epochs)", warmup.err.strip());
        Run zeroGamma = run("train", "--use_synthetic_data", "--dataset", "cifar10", "--resnet_size", "8",
                "--resnet_version", "2", "--model_dir", "target/never", "--zero_init_residual");
        assertEquals(2, zeroGamma.code);
        assertEquals("error: --zero_init_residual needs --resnet_version 1 or 1.5: v2 blocks end in a convolution,"
                + " not batch norm", zeroGamma.err.strip());
        assertTrue(!new java.io.File("target/never").exists(), "nothing written for a usage error");
    }

    @Test
    void trainRejectsBatchNotDivisibleByWorkers() {
        Run r = run("train", "--use_synthetic_data", "--dataset", "cifar10", "--resnet_size", "8",
                "--model_dir", "target/never", "--num_workers", "3", "--batch_size", "16");
        assertEquals(2, r.code);
        assertEquals("error: --batch_size 16 must be a positive multiple of the number of workers (3) so every"
                + " worker gets the same share", r.err.strip());
        assertTrue(!new java.io.File("target/never").exists(), "nothing written for a usage error");
    }
}
