package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The run's record in the model directory: {@code metrics.json} (run settings and one entry per epoch) and
 * {@code report.html} (the same as a table and learning curves). Both are rewritten atomically after every
 * epoch through {@link CheckpointStore#writeAtomically}, so a crash leaves the previous complete version.
 */
public final class RunReport {

    static final String METRICS = "metrics.json";
    static final String HTML = "report.html";

    private static final int MAX_MATRIX_CLASSES = 100;
    private static final int LISTED_PAIRS = 20;

    private final ObjectMapper json = new ObjectMapper();
    private final CheckpointStore store;
    private final Map<String, Object> settings;
    private final List<String> classNames;
    private final List<JsonNode> epochs = new ArrayList<>();
    private EpochMetrics.Eval latestEval;

    /**
     * Starts the report; keeps the entries of a previous run in the same directory up to
     * {@code epochsDone} (those a resume continues from).
     */
    public RunReport(CheckpointStore store, Map<String, Object> settings, List<String> classNames, int epochsDone)
            throws IOException {
        this.store = store;
        this.settings = settings;
        this.classNames = List.copyOf(classNames);
        var previous = store.read(METRICS);
        if (previous.isPresent() && epochsDone > 0) {
            for (JsonNode e : json.readTree(previous.get()).path("epochs")) {
                if (e.get("epoch").asInt() <= epochsDone) {
                    epochs.add(e);
                }
            }
        }
    }

    /** Appends one epoch and rewrites both files. */
    public void add(EpochMetrics m) throws IOException {
        double elapsed = epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).path("elapsed_seconds").asDouble();
        elapsed += m.seconds() + (m.eval() == null ? 0 : m.eval().seconds());
        ObjectNode e = json.createObjectNode();
        e.put("epoch", m.epoch());
        e.put("global_step", m.globalStep());
        e.put("learning_rate", m.learningRate());
        putNumber(e, "train_loss", m.trainLoss());
        e.put("images", m.images());
        e.put("seconds", round(m.seconds()));
        e.put("images_per_sec", round(m.imagesPerSecond()));
        e.put("input_seconds", round(m.inputSeconds()));
        e.put("input_wait_fraction", Math.round(m.inputWaitFraction() * 1e4) / 1e4);
        e.put("elapsed_seconds", round(elapsed));
        e.put("finished_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        e.put("bad_records", m.badRecords());
        if (m.eval() != null) {
            e.set("eval", evalJson(m.eval()));
            latestEval = m.eval();
        }
        epochs.add(e);
        write();
    }

    private ObjectNode evalJson(EpochMetrics.Eval eval) {
        ObjectNode ev = json.createObjectNode();
        ev.put("top1", eval.top1());
        ev.put("top5", eval.top5());
        putNumber(ev, "loss", eval.loss());
        ev.put("examples", eval.examples());
        ev.put("seconds", round(eval.seconds()));
        ArrayNode pc = ev.putArray("per_class_top1");
        eval.perClassTop1().forEach(pc::add);
        if (classNames.size() <= MAX_MATRIX_CLASSES) {
            ev.set("confusion", json.valueToTree(eval.confusion()));
        } else {
            ArrayNode pairs = ev.putArray("most_confused");
            for (long[] p : mostConfused(eval.confusion())) {
                pairs.addObject().put("actual", (int) p[0]).put("predicted", (int) p[1]).put("count", p[2]);
            }
        }
        return ev;
    }

    /** JSON has no NaN: an unknown value (e.g. gradient sharing's training loss) is written as null. */
    private static void putNumber(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    /** Latest top-1 accuracy, or NaN when no evaluation ran yet. */
    public double lastTop1() {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.get(i).has("eval")) {
                return epochs.get(i).get("eval").get("top1").asDouble();
            }
        }
        return Double.NaN;
    }

    private void write() throws IOException {
        ObjectNode root = json.createObjectNode();
        root.set("run", json.valueToTree(settings));
        root.set("classes", json.valueToTree(classNames));
        ArrayNode arr = root.putArray("epochs");
        epochs.forEach(arr::add);
        store.writeAtomically(METRICS, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        store.writeAtomically(HTML, html());
    }

    private String html() {
        StringBuilder rows = new StringBuilder();
        List<double[]> top1 = new ArrayList<>();
        List<double[]> top5 = new ArrayList<>();
        List<double[]> trainLoss = new ArrayList<>();
        List<double[]> evalLoss = new ArrayList<>();
        for (JsonNode e : epochs) {
            JsonNode ev = e.path("eval");
            int epoch = e.get("epoch").asInt();
            rows.append("<tr><td>").append(epoch)
                    .append("</td><td>").append(e.get("global_step").asLong())
                    .append("</td><td>").append(fmt(e.get("learning_rate").asDouble()))
                    .append("</td><td>").append(fmt(e.get("train_loss").asDouble(Double.NaN)))
                    .append("</td><td>").append(ev.isMissingNode() ? "" : fmt(ev.path("loss").asDouble(Double.NaN)))
                    .append("</td><td>").append(e.get("images_per_sec").asDouble())
                    .append("</td><td>").append(e.path("elapsed_seconds").asDouble())
                    .append("</td><td>").append(e.get("bad_records").asLong())
                    .append("</td><td>").append(ev.isMissingNode() ? "" : pct(ev.get("top1").asDouble()))
                    .append("</td><td>").append(ev.isMissingNode() ? "" : pct(ev.get("top5").asDouble()))
                    .append("</td></tr>\n");
            trainLoss.add(new double[] {epoch, e.get("train_loss").asDouble(Double.NaN)});
            if (!ev.isMissingNode()) {
                top1.add(new double[] {epoch, ev.get("top1").asDouble()});
                top5.add(new double[] {epoch, ev.get("top5").asDouble()});
                evalLoss.add(new double[] {epoch, ev.path("loss").asDouble(Double.NaN)});
            }
        }
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>resnet-spark report</title>\n"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>\n"
                + "<h1>resnet-spark training report</h1>\n<pre>" + SvgCharts.escape(settingsText()) + "</pre>\n"
                + "<h2>Accuracy</h2>\n" + SvgCharts.lines(List.of(new SvgCharts.Series("top-1", top1),
                        new SvgCharts.Series("top-5", top5)), 0, 1, "epoch")
                + "\n<h2>Loss</h2>\n" + SvgCharts.lines(List.of(new SvgCharts.Series("train", trainLoss),
                        new SvgCharts.Series("evaluation", evalLoss)), 0, Double.NaN, "epoch")
                + "\n<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>step</th><th>learning rate</th><th>train loss</th>"
                + "<th>eval loss</th><th>img/s</th><th>elapsed s</th><th>bad records</th><th>top-1</th><th>top-5</th>"
                + "</tr>\n" + rows + "</table>\n" + latestEvalHtml() + "</body></html>\n";
    }

    /** Per-class accuracy and confusion of the latest evaluation of this run (not of a resumed one's past). */
    private String latestEvalHtml() {
        if (latestEval == null) {
            return "";
        }
        List<Integer> order = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            order.add(c);
        }
        String title = "Per-class top-1 accuracy";
        if (order.size() > MAX_MATRIX_CLASSES) {
            order.sort(Comparator.comparingDouble(c -> latestEval.perClassTop1().get(c)));
            order = order.subList(0, LISTED_PAIRS);
            title += " (the " + LISTED_PAIRS + " worst classes)";
        }
        List<String> names = order.stream().map(classNames::get).toList();
        List<Double> values = order.stream().map(latestEval.perClassTop1()::get).toList();
        StringBuilder html = new StringBuilder("<h2>" + title + "</h2>\n" + SvgCharts.bars(names, values) + "\n");
        if (classNames.size() <= MAX_MATRIX_CLASSES) {
            html.append("<h2>Confusion matrix</h2>\n").append(SvgCharts.heatMap(classNames, latestEval.confusion()));
        } else {
            html.append("<h2>Most confused pairs</h2>\n<table><tr><th>actual</th><th>predicted as</th><th>count</th>"
                    + "</tr>\n");
            for (long[] p : mostConfused(latestEval.confusion())) {
                html.append("<tr><td>").append(SvgCharts.escape(classNames.get((int) p[0]))).append("</td><td>")
                        .append(SvgCharts.escape(classNames.get((int) p[1]))).append("</td><td>").append(p[2])
                        .append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        return html.toString();
    }

    /** The largest off-diagonal cells as {actual, predicted, count}, largest first. */
    private static List<long[]> mostConfused(long[][] confusion) {
        PriorityQueue<long[]> smallestFirst = new PriorityQueue<>(Comparator.comparingLong(p -> p[2]));
        for (int a = 0; a < confusion.length; a++) {
            for (int p = 0; p < confusion[a].length; p++) {
                if (a != p && confusion[a][p] > 0) {
                    smallestFirst.add(new long[] {a, p, confusion[a][p]});
                    if (smallestFirst.size() > LISTED_PAIRS) {
                        smallestFirst.poll();
                    }
                }
            }
        }
        List<long[]> pairs = new ArrayList<>(smallestFirst);
        pairs.sort(Comparator.comparingLong((long[] p) -> p[2]).reversed());
        return pairs;
    }

    private String settingsText() {
        StringBuilder s = new StringBuilder();
        settings.forEach((k, v) -> s.append(k).append(" = ").append(v).append('\n'));
        return s.toString();
    }

    private static String fmt(double v) {
        return String.format("%.4g", v);
    }

    private static String pct(double v) {
        return String.format("%.2f%%", 100 * v);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
