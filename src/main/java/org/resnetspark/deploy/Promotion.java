package org.resnetspark.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.resnetspark.train.CheckpointStore;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Promotes a candidate model to production only when its evaluation is better, for nightly retraining.
 *
 * <p>Production layout (any Hadoop filesystem): {@code bundles/<UTC timestamp>/} immutable copies of exported
 * bundles, each with the {@code metrics.json} it was judged by, and {@code current.json} naming the serving
 * bundle, its metric and the previous one. A promotion copies the candidate completely under a temporary name,
 * renames it into {@code bundles/}, and only then replaces {@code current.json} atomically: a reader never sees
 * a partial bundle, and a crash leaves the previous production model current. The last {@code keep} bundles are
 * kept so a bad model can be rolled back by editing the pointer.
 */
public final class Promotion {

    /** What a promotion decided. */
    public enum Outcome { PROMOTED, NOT_BETTER }

    /** The decision with the values it compared; {@code production} is NaN when there was none. */
    public record Result(Outcome outcome, String metric, double candidate, double production, Path bundle) { }

    static final String POINTER = "current.json";
    static final String BUNDLES = "bundles";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final ObjectMapper json = new ObjectMapper();
    private final Configuration conf;
    private final Clock clock;

    public Promotion(Configuration conf, Clock clock) {
        this.conf = conf;
        this.clock = clock;
    }

    /**
     * Compares the candidate's latest evaluation with production's and promotes it when better by more than
     * {@code minDelta}.
     *
     * @param candidateModelDir the training run's model_dir (its {@code metrics.json} is read)
     * @param candidateBundle   the exported bundle to serve
     * @param production        the production directory (created on the first promotion)
     * @throws IOException with a one-line message when an input is missing or malformed
     */
    public Result promote(Path candidateModelDir, Path candidateBundle, Path production, Metric metric,
                          double minDelta, int keep) throws IOException {
        Path metricsPath = new Path(candidateModelDir, "metrics.json");
        JsonNode metrics = readJson(metricsPath)
                .orElseThrow(() -> new IOException("candidate " + candidateModelDir + " has no metrics.json"));
        double candidate = metric.latest(metrics, metricsPath);
        FileSystem bundleFs = candidateBundle.getFileSystem(conf);
        if (!bundleFs.isDirectory(candidateBundle)) {
            throw new IOException("candidate bundle " + candidateBundle + " is not a directory (run 'export' first)");
        }
        Optional<JsonNode> current = readJson(new Path(production, POINTER));
        double serving = current.map(c -> c.path("value").asDouble(Double.NaN)).orElse(Double.NaN);
        if (current.isPresent() && !metric.toString().equals(current.get().path("metric").asText())) {
            throw new IOException("production " + production + " was promoted by " + current.get().path("metric")
                    .asText() + ", not " + metric + "; use --metric " + current.get().path("metric").asText());
        }
        if (!Double.isNaN(serving) && !metric.better(candidate, serving, minDelta)) {
            return new Result(Outcome.NOT_BETTER, metric.toString(), candidate, serving, null);
        }
        FileSystem fs = production.getFileSystem(conf);
        Path bundles = new Path(production, BUNDLES);
        fs.mkdirs(bundles);
        String name = STAMP.format(Instant.now(clock));
        Path incoming = new Path(bundles, "._incoming-" + name);
        Path target = new Path(bundles, name);
        if (fs.exists(target)) {
            throw new IOException("production bundle " + target + " already exists");
        }
        fs.delete(incoming, true);
        if (!FileUtil.copy(bundleFs, candidateBundle, fs, incoming, false, conf)
                || !FileUtil.copy(metricsPath.getFileSystem(conf), metricsPath, fs, new Path(incoming, "metrics.json"),
                false, true, conf)) {
            fs.delete(incoming, true);
            throw new IOException("could not copy " + candidateBundle + " to " + incoming);
        }
        if (!fs.rename(incoming, target)) {
            fs.delete(incoming, true);
            throw new IOException("could not rename " + incoming + " to " + target);
        }
        ObjectNode pointer = json.createObjectNode();
        pointer.put("bundle", BUNDLES + "/" + name);
        pointer.put("metric", metric.toString());
        pointer.put("value", candidate);
        pointer.put("source", candidateModelDir.toString());
        pointer.put("promoted_at", Instant.now(clock).toString());
        current.ifPresent(c -> pointer.put("previous", c.path("bundle").asText()));
        new CheckpointStore(production, conf, 1).writeAtomically(POINTER,
                json.writerWithDefaultPrettyPrinter().writeValueAsString(pointer));
        prune(fs, bundles, keep, pointer.path("previous").asText());
        return new Result(Outcome.PROMOTED, metric.toString(), candidate, serving, target);
    }

    /** Deletes the oldest bundles beyond {@code keep}, never the current or the previous one. */
    private static void prune(FileSystem fs, Path bundles, int keep, String previous) throws IOException {
        List<FileStatus> all = Arrays.stream(fs.listStatus(bundles))
                .filter(s -> s.isDirectory() && !s.getPath().getName().startsWith("."))
                .sorted(Comparator.comparing((FileStatus s) -> s.getPath().getName()).reversed())
                .toList();
        for (int i = Math.max(2, keep); i < all.size(); i++) {
            if (!(BUNDLES + "/" + all.get(i).getPath().getName()).equals(previous)) {
                fs.delete(all.get(i).getPath(), true);
            }
        }
    }

    private Optional<JsonNode> readJson(Path p) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            return Optional.empty();
        }
        try (InputStream in = fs.open(p)) {
            return Optional.of(json.readTree(in));
        } catch (IOException e) {
            throw new IOException(p + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
