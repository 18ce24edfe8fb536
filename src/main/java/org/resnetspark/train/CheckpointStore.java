package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints in a model directory on any Hadoop filesystem (local, HDFS):
 * {@code checkpoints/epoch-NNNN.zip} (network + updater state) and the pointer {@code checkpoint.json}
 * naming the latest one with its epoch and global step.
 *
 * <p>Guarantees: a checkpoint is written to a temporary name and renamed into place, and the pointer is
 * replaced (atomic rename with overwrite) only after that, so the pointer never names a partial file, whatever
 * moment the driver dies at. At most {@code keep} checkpoints are kept (TensorFlow's keep_checkpoint_max), plus the best by top-1.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    static final String POINTER = "checkpoint.json";
    static final String DIR = "checkpoints";

    private final Path modelDir;
    private final FileSystem fs;
    private final FileContext fc;
    private final int keep;
    private final ObjectMapper json = new ObjectMapper();

    /** The state a checkpoint restores: the network and where training stood. */
    public record Checkpoint(ComputationGraph network, int epochsDone, long globalStep, Path path) { }

    public CheckpointStore(Path modelDir, Configuration hadoopConf, int keep) throws IOException {
        this.modelDir = modelDir;
        FileSystem base = modelDir.getFileSystem(hadoopConf);
        // Hadoop's checksummed local filesystem renames a file and its .crc sidecar in two steps; a crash
        // between them leaves a file that no longer matches its checksum. The raw filesystem renames atomically.
        this.fs = base instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : base;
        this.fc = FileContext.getFileContext(fs.getUri(), hadoopConf);
        this.keep = keep;
    }

    public Path modelDir() {
        return modelDir;
    }

    /**
     * Creates the model directory if needed and proves it writable with a probe file, so a bad
     * {@code --model_dir} fails before any training time is spent.
     *
     * @throws IOException naming the directory and the filesystem's reason
     */
    public void requireWritable() throws IOException {
        Path probe = new Path(modelDir, "._write-probe");
        try {
            fs.mkdirs(modelDir);
            try (OutputStream out = fs.create(probe, true)) {
                out.write(1);
            }
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new IOException(modelDir + " is not writable: " + firstLine(e), e);
        }
    }

    /** True when the directory holds a completed checkpoint. */
    public boolean hasCheckpoint() throws IOException {
        return fs.exists(new Path(modelDir, POINTER));
    }

    /** Epochs done by the latest checkpoint, without loading the network. */
    public Optional<Integer> latestEpoch() throws IOException {
        return hasCheckpoint() ? Optional.of(readPointer().get("epochs_done").asInt()) : Optional.empty();
    }

    /**
     * Writes a checkpoint of {@code net} after {@code epochsDone} epochs and makes it the latest; when
     * {@code top1} beats the best so far it is also kept as {@code checkpoints/best.zip}.
     *
     * @param top1 top-1 accuracy of this checkpoint, NaN when it was not evaluated
     * @return the checkpoint's path
     */
    public Path save(ComputationGraph net, int epochsDone, long globalStep, double top1) throws IOException {
        Path dir = new Path(modelDir, DIR);
        fs.mkdirs(dir);
        String name = String.format("epoch-%04d.zip", epochsDone);
        Path target = new Path(dir, name);
        Path tmp = new Path(dir, "_tmp-" + name);
        try (OutputStream out = fs.create(tmp, true)) {
            ModelSerializer.writeModel(net, out, true);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new IOException("could not write checkpoint " + target + " (the latest checkpoint is still "
                    + latestName() + "): " + firstLine(e), e);
        }
        replace(tmp, target);

        List<String> all = new ArrayList<>();
        JsonNode best = null;
        if (hasCheckpoint()) {
            JsonNode old = readPointer();
            old.get("all").forEach(n -> all.add(n.asText()));
            best = old.get("best");
        }
        if (!Double.isNaN(top1) && (best == null || top1 > best.get("top1").asDouble())) {
            Path bestTmp = new Path(dir, "_tmp-best.zip");
            try {
                FileUtil.copy(fs, target, fs, bestTmp, false, true, fs.getConf());
            } catch (IOException | RuntimeException e) {
                deleteQuietly(bestTmp);
                deleteQuietly(target);
                throw new IOException("could not copy " + target + " to best.zip (the latest checkpoint is still "
                        + latestName() + "): " + firstLine(e), e);
            }
            replace(bestTmp, new Path(dir, "best.zip"));
            ObjectNode b = json.createObjectNode();
            b.put("path", DIR + "/best.zip");
            b.put("epochs_done", epochsDone);
            b.put("top1", top1);
            best = b;
        }
        all.remove(DIR + "/" + name);
        all.add(DIR + "/" + name);
        List<String> dropped = new ArrayList<>();
        while (all.size() > keep) {
            dropped.add(all.remove(0));
        }
        ObjectNode pointer = json.createObjectNode();
        pointer.put("latest", DIR + "/" + name);
        pointer.put("epochs_done", epochsDone);
        pointer.put("global_step", globalStep);
        ArrayNode arr = pointer.putArray("all");
        all.forEach(arr::add);
        if (best != null) {
            pointer.set("best", best);
        }
        writeAtomically(POINTER, json.writerWithDefaultPrettyPrinter().writeValueAsString(pointer));
        for (String d : dropped) {
            fs.delete(new Path(modelDir, d), false);
        }
        LOG.info("checkpoint {} (epoch {}, step {})", target, epochsDone, globalStep);
        return target;
    }

    /**
     * A checkpoint file named by the pointer, not loaded.
     *
     * @param top1 its evaluated top-1 accuracy, NaN when unknown
     */
    public record Entry(Path path, int epochsDone, double top1) { }

    /** The latest checkpoint's file and epoch, without loading it. */
    public Optional<Entry> latestEntry() throws IOException {
        if (!hasCheckpoint()) {
            return Optional.empty();
        }
        JsonNode p = readPointer();
        double top1 = p.has("best") && p.get("best").get("epochs_done").asInt() == p.get("epochs_done").asInt()
                ? p.get("best").get("top1").asDouble() : Double.NaN;
        return Optional.of(new Entry(new Path(modelDir, p.get("latest").asText()), p.get("epochs_done").asInt(),
                top1));
    }

    /** The best checkpoint (highest top-1 so far), without loading it; empty before any evaluation. */
    public Optional<Entry> bestEntry() throws IOException {
        if (!hasCheckpoint() || !readPointer().has("best")) {
            return Optional.empty();
        }
        JsonNode b = readPointer().get("best");
        return Optional.of(new Entry(new Path(modelDir, b.get("path").asText()), b.get("epochs_done").asInt(),
                b.get("top1").asDouble()));
    }

    /** Loads the latest checkpoint with its updater state. */
    public Optional<Checkpoint> loadLatest() throws IOException {
        if (!hasCheckpoint()) {
            return Optional.empty();
        }
        JsonNode p = readPointer();
        Path path = new Path(modelDir, p.get("latest").asText());
        try (InputStream in = fs.open(path)) {
            ComputationGraph net = ModelSerializer.restoreComputationGraph(in, true);
            return Optional.of(new Checkpoint(net, p.get("epochs_done").asInt(), p.get("global_step").asLong(),
                    path));
        } catch (IOException | RuntimeException e) {
            throw new IOException("checkpoint " + path + " named by " + new Path(modelDir, POINTER)
                    + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Replaces {@code name} in the model directory with {@code content}, atomically. */
    public void writeAtomically(String name, String content) throws IOException {
        fs.mkdirs(modelDir);
        Path target = new Path(modelDir, name);
        Path tmp = new Path(modelDir, "._tmp-" + name);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmp);
            throw new IOException("could not write " + target + " (the previous version is kept): "
                    + firstLine(e), e);
        }
        replace(tmp, target);
    }

    /** The content of {@code name} in the model directory, if present. */
    public Optional<String> read(String name) throws IOException {
        Path p = new Path(modelDir, name);
        if (!fs.exists(p)) {
            return Optional.empty();
        }
        try (InputStream in = fs.open(p)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Atomically replaces {@code target} with {@code tmp}. */
    private void replace(Path tmp, Path target) throws IOException {
        if (fs instanceof RawLocalFileSystem) {
            // rename(2): atomic, replaces an existing target (FileContext would go through the checksummed LocalFs)
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } else {
            fc.rename(tmp, target, Options.Rename.OVERWRITE);
        }
    }

    private String latestName() throws IOException {
        return hasCheckpoint() ? readPointer().path("latest").asText() : "none";
    }

    private void deleteQuietly(Path p) {
        try {
            fs.delete(p, false);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.getMessage());
        }
    }

    /** Hadoop's exceptions (e.g. a quota violation) carry multi-line messages; a one-line error needs the first. */
    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private JsonNode readPointer() throws IOException {
        Path p = new Path(modelDir, POINTER);
        try (InputStream in = fs.open(p)) {
            return json.readTree(in);
        } catch (IOException e) {
            throw new IOException("checkpoint pointer " + p + " is unreadable: " + e.getMessage(), e);
        }
    }
}
