package org.resnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code --benchmark_log_dir}: TensorFlow official models' benchmark logs, so tooling built for them reads our
 * runs too: {@code benchmark_run.log} (one JSON object: model, dataset, date, run parameters) and
 * {@code metric.log} (one JSON object per line: name, value, unit, global_step, timestamp, extras) with
 * TensorFlow's metric names ({@code accuracy}, {@code accuracy_top_5}, {@code loss}, ...). Both files are
 * rewritten atomically after every epoch, on any Hadoop filesystem.
 */
public final class BenchmarkLog {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final ObjectMapper json = new ObjectMapper();
    private final CheckpointStore dir;
    private final List<String> metrics = new ArrayList<>();

    /** Writes {@code benchmark_run.log} now (keeping an existing {@code metric.log}); metrics follow with {@link #epoch}. */
    public BenchmarkLog(Path logDir, Configuration conf, String modelName, String dataset,
                        Map<String, Object> runParameters) throws IOException {
        this.dir = new CheckpointStore(logDir, conf, 1);
        dir.read("metric.log").ifPresent(previous -> previous.lines().filter(l -> !l.isBlank())
                .forEach(metrics::add)); // a resumed run continues the same log, as TensorFlow's appends
        ObjectNode run = json.createObjectNode();
        run.put("model_name", modelName);
        run.putObject("dataset").put("name", dataset);
        run.put("run_date", TIMESTAMP.format(Instant.now()));
        run.put("test_id", (String) null);
        ArrayNode params = run.putArray("run_parameters");
        runParameters.forEach((name, value) -> {
            ObjectNode p = params.addObject().put("name", name);
            if (value instanceof Integer || value instanceof Long) {
                p.put("long_value", ((Number) value).longValue());
            } else if (value instanceof Number n) {
                p.put("float_value", n.doubleValue());
            } else if (value instanceof Boolean b) {
                p.put("bool_value", b.toString());
            } else {
                p.put("string_value", String.valueOf(value));
            }
        });
        run.putObject("machine_config").put("cpu_info", Runtime.getRuntime().availableProcessors() + " cores");
        dir.writeAtomically("benchmark_run.log", json.writeValueAsString(run) + "\n");
    }

    /** Appends the epoch's metrics (evaluation ones only when it evaluated) and rewrites {@code metric.log}. */
    public void epoch(EpochMetrics m) throws IOException {
        metric("average_examples_per_sec", m.imagesPerSecond(), m.globalStep());
        metric("train_loss", m.trainLoss(), m.globalStep());
        if (m.eval() != null) {
            metric("accuracy", m.eval().top1(), m.globalStep());
            metric("accuracy_top_5", m.eval().top5(), m.globalStep());
            metric("loss", m.eval().loss(), m.globalStep());
        }
        dir.writeAtomically("metric.log", String.join("\n", metrics) + "\n");
    }

    private void metric(String name, double value, long step) throws IOException {
        if (!Double.isFinite(value)) {
            return; // TensorFlow's logger also drops values it cannot write as numbers
        }
        ObjectNode o = json.createObjectNode();
        o.put("name", name);
        o.put("value", value);
        o.putNull("unit");
        o.put("global_step", step);
        o.put("timestamp", TIMESTAMP.format(Instant.now()));
        o.putArray("extras");
        metrics.add(json.writeValueAsString(o));
    }
}
