package org.resnetspark.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.resnetspark.testing.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kill -9 of the driver (the whole local-mode job) between checkpoints and in the middle of a checkpoint
 * write; rerunning the same command resumes from the last complete checkpoint, and the files in model_dir stay
 * valid throughout.
 */
class DriverKillTest {

    private static final int EPOCHS = 5;

    private static List<String> command(String modelDir, List<String> jvmFlags) {
        List<String> flags = new ArrayList<>(ChildJvm.localSpark(2));
        flags.addAll(jvmFlags);
        flags.add("-Dspark.hadoop.fs.slowfs.impl=" + SlowFileSystem.class.getName());
        flags.add("-Dspark.hadoop.fs.AbstractFileSystem.slowfs.impl=" + SlowFileSystem.Afs.class.getName());
        return ChildJvm.command(flags, "org.resnetspark.cli.Main", List.of("train", "--use_synthetic_data",
                "--synthetic_images", "64", "--dataset", "cifar10", "--resnet_size", "8", "--image_size", "16",
                "--batch_size", "16", "--epochs_between_evals", "1", "--train_epochs", String.valueOf(EPOCHS),
                "--seed", "7", "--model_dir", modelDir));
    }

    private static Process start(String modelDir, File log, String... jvmFlags) throws IOException {
        return new ProcessBuilder(command(modelDir, List.of(jvmFlags))).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    private static void waitFor(BooleanSupplier condition, Process p, File log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!condition.getAsBoolean()) {
            if (!p.isAlive()) {
                throw new AssertionError("driver ended early (exit " + p.exitValue() + "): "
                        + Files.readString(log.toPath()));
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("timed out; log: " + Files.readString(log.toPath()));
            }
            Thread.sleep(20);
        }
    }

    private static int epochsDone(File modelDir) {
        try {
            File pointer = new File(modelDir, "checkpoint.json");
            return pointer.isFile() ? new ObjectMapper().readTree(pointer).get("epochs_done").asInt() : 0;
        } catch (IOException e) {
            throw new AssertionError("checkpoint.json unreadable while the driver runs", e);
        }
    }

    /** Everything in model_dir is complete: the pointer names an existing checkpoint, the reports parse. */
    private static int assertConsistent(File modelDir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode pointer = json.readTree(new File(modelDir, "checkpoint.json"));
        File latest = new File(modelDir, pointer.get("latest").asText());
        assertTrue(latest.isFile() && latest.length() > 0, "pointer names a complete file: " + latest);
        JsonNode metrics = json.readTree(new File(modelDir, "metrics.json"));
        int n = metrics.get("epochs").size();
        int done = pointer.get("epochs_done").asInt();
        assertTrue(n == done || n == done + 1, "metrics.json covers every checkpointed epoch: " + n + " vs " + done);
        for (int i = 0; i < n; i++) {
            assertEquals(i + 1, metrics.get("epochs").get(i).get("epoch").asInt(), "epochs in order, no duplicates");
            assertEquals(4L * (i + 1), metrics.get("epochs").get(i).get("global_step").asLong());
        }
        assertTrue(Files.readString(new File(modelDir, "report.html").toPath()).endsWith("</html>\n"));
        return done;
    }

    private static void rerunAndFinish(String modelDir, File log, String... jvmFlags) throws Exception {
        Process p = start(modelDir, log, jvmFlags);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "rerun finishes");
        String out = Files.readString(log.toPath());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("trained " + EPOCHS + " epochs (" + 4 * EPOCHS + " steps)"), out);
    }

    @Test
    void killedBetweenCheckpointsResumesAtTheNextEpoch(@TempDir File dir) throws Exception {
        File modelDir = new File(dir, "model");
        File log = new File(dir, "driver.log");
        Process p = start(modelDir.getAbsolutePath(), log);
        waitFor(() -> epochsDone(modelDir) >= 2, p, log);
        p.destroyForcibly().waitFor();
        int done = assertConsistent(modelDir);
        assertTrue(done >= 2 && done < EPOCHS, "killed mid-run after epoch " + done);

        rerunAndFinish(modelDir.getAbsolutePath(), log);
        assertTrue(Files.readString(log.toPath()).contains("resuming from"), "resumed, not restarted");
        assertEquals(EPOCHS, assertConsistent(modelDir));
    }

    @Test
    void killedDuringACheckpointWriteKeepsThePreviousCheckpointAsLatest(@TempDir File dir) throws Exception {
        File modelDir = new File(dir, "model");
        File checkpoints = new File(modelDir, "checkpoints");
        File log = new File(dir, "driver.log");
        String uri = "slowfs://" + modelDir.getAbsolutePath();
        File marker = new File(dir, "stalled");
        String stall = "-D" + SlowFileSystem.STALL_MARKER + "=" + marker.getAbsolutePath();
        Process p = start(uri, log, stall);
        File partial = new File(checkpoints, "_tmp-epoch-0002.zip");
        waitFor(() -> marker.exists() && partial.length() > 0, p, log);
        p.destroyForcibly().waitFor();
        assertEquals(1, assertConsistent(modelDir), "epoch 2's checkpoint was being written: epoch 1 stays latest");
        assertTrue(!new File(checkpoints, "epoch-0002.zip").exists(), "no partial file under a final name");

        rerunAndFinish(uri, log, stall); // the marker exists: this run writes without stalling
        assertEquals(EPOCHS, assertConsistent(modelDir));
        assertTrue(!partial.exists(), "the leftover temporary file was replaced");
    }
}
