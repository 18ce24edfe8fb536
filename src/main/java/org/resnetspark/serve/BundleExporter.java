package org.resnetspark.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.train.ArchitectureProbe;
import org.resnetspark.train.CheckpointStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a self-describing bundle from a model directory's checkpoint: {@value ExportedModel#NETWORK_FILE} (the
 * network, no updater state) and {@value ExportedModel#METADATA_FILE} (architecture, classes with names,
 * both inputs, preprocessing, the run's settings and metrics for that checkpoint, provenance, versions).
 *
 * <p>Guarantees: the bundle is assembled in a temporary sibling directory and renamed into place, so
 * {@code exportDir} never holds a partial bundle; an existing {@code exportDir} is never replaced without
 * {@code overwrite} (and with it, the old bundle is moved aside first and deleted only after the new one is in
 * place).
 */
public final class BundleExporter {

    private static final Logger LOG = LoggerFactory.getLogger(BundleExporter.class);
    private static final Pattern EPOCH_FILE = Pattern.compile("epoch-(\\d+)\\.zip$");

    private final Configuration hadoopConf;
    private final ObjectMapper json = new ObjectMapper();

    public BundleExporter(Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /**
     * Exports a checkpoint of {@code modelDir} to {@code exportDir}.
     *
     * @param checkpoint {@code latest}, {@code best} (highest evaluated top-1) or a checkpoint zip's path
     *                   (relative paths are tried against {@code modelDir} too)
     * @return the metadata written
     * @throws IllegalArgumentException when there is no such checkpoint, or {@code exportDir} exists and
     *                                  {@code overwrite} is false
     */
    public JsonNode export(String modelDir, String exportDir, String checkpoint, boolean overwrite)
            throws IOException {
        Path target = new Path(exportDir);
        // an own instance: switching off .crc side files must not change the cached one others share
        try (FileSystem out = FileSystem.newInstance(target.toUri(), hadoopConf)) {
            out.setWriteChecksum(false);
            return export(out, target, modelDir, checkpoint, overwrite);
        }
    }

    private JsonNode export(FileSystem out, Path target, String modelDir, String checkpoint, boolean overwrite)
            throws IOException {
        String exportDir = target.toString();
        if (out.exists(target) && !overwrite) {
            throw new IllegalArgumentException("--export_dir " + exportDir + " already exists; use --overwrite to"
                    + " replace it");
        }
        CheckpointStore store = new CheckpointStore(new Path(modelDir), hadoopConf, Integer.MAX_VALUE);
        CheckpointStore.Entry entry = resolve(store, modelDir, checkpoint);
        ComputationGraph net;
        try (InputStream in = entry.path().getFileSystem(hadoopConf).open(entry.path())) {
            net = ModelSerializer.restoreComputationGraph(in, false);
        }
        JsonNode metrics = store.read("metrics.json").map(this::parse).orElse(json.createObjectNode());
        ObjectNode metadata = metadata(net, metrics, entry, modelDir, checkpoint);

        Path tmp = new Path(target.getParent(), "._tmp-" + target.getName() + "-" + UUID.randomUUID());
        try {
            out.mkdirs(tmp);
            try (OutputStream o = out.create(new Path(tmp, ExportedModel.NETWORK_FILE), false)) {
                ModelSerializer.writeModel(net, o, false);
            }
            try (OutputStream o = out.create(new Path(tmp, ExportedModel.METADATA_FILE), false)) {
                o.write(json.writerWithDefaultPrettyPrinter().writeValueAsString(metadata)
                        .getBytes(StandardCharsets.UTF_8));
            }
            replace(out, tmp, target, overwrite);
        } finally {
            if (out.exists(tmp)) {
                out.delete(tmp, true);
            }
        }
        LOG.info("exported {} to {}", entry.path(), target);
        return metadata;
    }

    private void replace(FileSystem fs, Path tmp, Path target, boolean overwrite) throws IOException {
        Path old = null;
        if (fs.exists(target)) {
            if (!overwrite) {
                throw new IllegalArgumentException("--export_dir " + target + " already exists; use --overwrite to"
                        + " replace it");
            }
            old = new Path(target.getParent(), "._old-" + target.getName() + "-" + UUID.randomUUID());
            if (!fs.rename(target, old)) {
                throw new IOException("could not move the existing bundle " + target + " aside");
            }
        }
        if (!fs.rename(tmp, target)) {
            if (old != null) {
                fs.rename(old, target);
            }
            throw new IOException("could not rename " + tmp + " to " + target);
        }
        if (old != null) {
            fs.delete(old, true);
        }
    }

    private CheckpointStore.Entry resolve(CheckpointStore store, String modelDir, String checkpoint)
            throws IOException {
        switch (checkpoint) {
            case "latest":
                return store.latestEntry().orElseThrow(() -> new IllegalArgumentException("--model_dir " + modelDir
                        + " holds no checkpoint (no checkpoint.json)"));
            case "best":
                return store.bestEntry().orElseThrow(() -> new IllegalArgumentException("--model_dir " + modelDir
                        + " holds no evaluated checkpoint, so no best one; use --checkpoint latest"));
            default:
                Path p = new Path(checkpoint);
                FileSystem fs = p.getFileSystem(hadoopConf);
                if (!fs.exists(p) && !p.isAbsolute()) {
                    p = new Path(store.modelDir(), checkpoint);
                    fs = p.getFileSystem(hadoopConf);
                }
                if (!fs.exists(p)) {
                    throw new IllegalArgumentException("--checkpoint " + checkpoint + " does not exist (expected"
                            + " latest, best or a checkpoint zip)");
                }
                Matcher m = EPOCH_FILE.matcher(p.getName());
                return new CheckpointStore.Entry(p, m.find() ? Integer.parseInt(m.group(1)) : -1, Double.NaN);
        }
    }

    private ObjectNode metadata(ComputationGraph net, JsonNode metrics, CheckpointStore.Entry entry, String modelDir,
                                String which) {
        JsonNode run = metrics.path("run");
        ResNetSpec probed = ArchitectureProbe.probe(net, 32);
        int imageSize = run.path("image_size").asInt(probed.family().defaultImageSize());
        ResNetSpec spec = probed.withImageSize(imageSize);

        ObjectNode root = json.createObjectNode();
        root.put("format", "resnet-spark-bundle");
        root.put("format_version", 1);
        ObjectNode model = root.putObject("model");
        model.put("family", spec.family().flagValue());
        model.put("resnet_size", spec.size());
        model.put("resnet_version", spec.version().flagValue());
        model.put("num_classes", spec.numClasses());
        model.put("image_size", spec.imageSize());
        model.put("data_format", spec.format() == CNN2DFormat.NCHW ? "channels_first" : "channels_last");
        model.put("dtype", spec.dataType() == DataType.HALF ? "fp16" : "fp32");
        model.put("parameters", net.numParams());
        model.put("network_file", ExportedModel.NETWORK_FILE);
        model.put("network_format", "DL4J ModelSerializer zip (ComputationGraph, no updater state)");
        model.put("output", "final_dense: softmax probabilities [n, num_classes]");

        ArrayNode classes = root.putArray("classes");
        JsonNode names = metrics.path("classes");
        if (names.size() != spec.numClasses()) {
            LOG.warn("{}/metrics.json names {} classes, the network has {}: exporting class_<index> names",
                    modelDir, names.size(), spec.numClasses());
        }
        for (int i = 0; i < spec.numClasses(); i++) {
            String name = names.size() == spec.numClasses() ? names.get(i).asText() : "class_" + i;
            classes.addObject().put("index", i).put("name", name);
        }

        EncodedImagePreprocessor pre = EncodedImagePreprocessor.forSpec(spec);
        ObjectNode inputs = root.putObject("inputs");
        ObjectNode tensor = inputs.putObject("tensor");
        ArrayNode shape = tensor.putArray("shape");
        int s = spec.imageSize();
        for (long d : spec.format() == CNN2DFormat.NCHW ? new long[] {-1, 3, s, s} : new long[] {-1, s, s, 3}) {
            shape.add(d);
        }
        tensor.put("dtype", spec.dataType() == DataType.HALF ? "float16" : "float32");
        tensor.put("values", "preprocessed images, as 'preprocessing' describes (RGB)");
        ObjectNode encoded = inputs.putObject("encoded");
        encoded.putArray("formats").add("jpeg").add("png");
        encoded.put("values", "encoded image bytes; 'preprocessing' is applied inside");
        root.set("preprocessing", pre.toJson(json));

        ObjectNode training = root.putObject("training");
        training.set("run", run);
        for (JsonNode e : metrics.path("epochs")) {
            if (e.path("epoch").asInt() == entry.epochsDone()) {
                ObjectNode last = training.putObject("checkpoint_epoch");
                for (String k : new String[] {"epoch", "global_step", "learning_rate", "train_loss", "images_per_sec",
                        "elapsed_seconds"}) {
                    if (e.has(k)) {
                        last.set(k, e.get(k));
                    }
                }
                if (e.has("eval")) {
                    ObjectNode ev = last.putObject("eval");
                    for (String k : new String[] {"top1", "top5", "loss", "examples"}) {
                        ev.set(k, e.get("eval").get(k));
                    }
                }
            }
        }
        double bestTop1 = Double.NaN;
        for (JsonNode e : metrics.path("epochs")) {
            if (e.has("eval")) {
                double t = e.get("eval").get("top1").asDouble();
                bestTop1 = Double.isNaN(bestTop1) ? t : Math.max(bestTop1, t);
            }
        }
        if (!Double.isNaN(bestTop1)) {
            training.put("best_top1", bestTop1);
        }
        training.put("epochs_recorded", metrics.path("epochs").size());

        ObjectNode source = root.putObject("source");
        source.put("model_dir", modelDir);
        source.put("checkpoint", entry.path().toString());
        source.put("selected_by", which);
        if (entry.epochsDone() >= 0) {
            source.put("epochs_done", entry.epochsDone());
        }
        root.put("exported_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ObjectNode versions = root.putObject("versions");
        String own = BundleExporter.class.getPackage().getImplementationVersion();
        versions.put("resnet_spark", own == null ? "dev" : own);
        versions.put("deeplearning4j", mavenVersion("org.deeplearning4j", "deeplearning4j-nn"));
        versions.put("nd4j", mavenVersion("org.nd4j", "nd4j-api"));
        versions.put("java", System.getProperty("java.version"));
        return root;
    }

    /** A dependency's version from its jar's Maven metadata ("unknown" when absent, e.g. in a shaded jar). */
    private static String mavenVersion(String group, String artifact) {
        String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = BundleExporter.class.getResourceAsStream(res)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            LOG.warn("metrics.json is unreadable ({}); exporting without class names and metrics", e.getMessage());
            return json.createObjectNode();
        }
    }
}
