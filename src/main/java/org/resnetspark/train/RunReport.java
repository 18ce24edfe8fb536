package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The run's record in the model directory: {@code metrics.json} (run settings and one entry per epoch) and
 * {@code report.html} (the same as a table and learning curves). Both are rewritten atomically after every
 * epoch through {@link CheckpointStore#writeAtomically}, so a crash leaves the previous complete version.
 */
public final class RunReport {

    static final String METRICS = "metrics.json";
    static final String HTML = "report.html";

    private final ObjectMapper json = new ObjectMapper();
    private final CheckpointStore store;
    private final Map<String, Object> settings;
    private final List<JsonNode> epochs = new ArrayList<>();

    /**
     * Starts the report; keeps the entries of a previous run in the same directory up to
     * {@code epochsDone} (those a resume continues from).
     */
    public RunReport(CheckpointStore store, Map<String, Object> settings, int epochsDone) throws IOException {
        this.store = store;
        this.settings = settings;
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
        ObjectNode e = json.createObjectNode();
        e.put("epoch", m.epoch());
        e.put("global_step", m.globalStep());
        e.put("learning_rate", m.learningRate());
        e.put("train_loss", m.trainLoss());
        e.put("images", m.images());
        e.put("seconds", round(m.seconds()));
        e.put("images_per_sec", round(m.imagesPerSecond()));
        e.put("bad_records", m.badRecords());
        if (m.eval() != null) {
            ObjectNode ev = e.putObject("eval");
            ev.put("top1", m.eval().top1());
            ev.put("top5", m.eval().top5());
            ev.put("examples", m.eval().examples());
            ev.put("seconds", round(m.eval().seconds()));
            ArrayNode pc = ev.putArray("per_class_top1");
            m.eval().perClassTop1().forEach(pc::add);
        }
        epochs.add(e);
        write();
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
        ArrayNode arr = root.putArray("epochs");
        epochs.forEach(arr::add);
        store.writeAtomically(METRICS, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        store.writeAtomically(HTML, html());
    }

    private String html() {
        StringBuilder rows = new StringBuilder();
        List<double[]> top1 = new ArrayList<>();
        List<double[]> loss = new ArrayList<>();
        for (JsonNode e : epochs) {
            JsonNode ev = e.path("eval");
            rows.append("<tr><td>").append(e.get("epoch").asInt())
                    .append("</td><td>").append(e.get("global_step").asLong())
                    .append("</td><td>").append(fmt(e.get("learning_rate").asDouble()))
                    .append("</td><td>").append(fmt(e.get("train_loss").asDouble()))
                    .append("</td><td>").append(e.get("images_per_sec").asDouble())
                    .append("</td><td>").append(e.get("bad_records").asLong())
                    .append("</td><td>").append(ev.isMissingNode() ? "" : pct(ev.get("top1").asDouble()))
                    .append("</td><td>").append(ev.isMissingNode() ? "" : pct(ev.get("top5").asDouble()))
                    .append("</td></tr>\n");
            loss.add(new double[] {e.get("epoch").asInt(), e.get("train_loss").asDouble()});
            if (!ev.isMissingNode()) {
                top1.add(new double[] {e.get("epoch").asInt(), ev.get("top1").asDouble()});
            }
        }
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>resnet-spark report</title>\n"
                + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}</style></head><body>\n"
                + "<h1>resnet-spark training report</h1>\n<pre>" + escape(settingsText()) + "</pre>\n"
                + "<h2>Top-1 accuracy</h2>\n" + svg(top1, 0, 1) + "\n<h2>Training loss</h2>\n" + svg(loss, 0, Double.NaN)
                + "\n<h2>Epochs</h2>\n<table><tr><th>epoch</th><th>step</th><th>learning rate</th><th>loss</th>"
                + "<th>img/s</th><th>bad records</th><th>top-1</th><th>top-5</th></tr>\n" + rows
                + "</table>\n</body></html>\n";
    }

    private String settingsText() {
        StringBuilder s = new StringBuilder();
        settings.forEach((k, v) -> s.append(k).append(" = ").append(v).append('\n'));
        return s.toString();
    }

    /** A polyline chart of (epoch, value) points; yMax NaN = the data's maximum. */
    private static String svg(List<double[]> pts, double yMin, double yMax) {
        int w = 600;
        int h = 240;
        if (pts.isEmpty()) {
            return "<p>(no data yet)</p>";
        }
        double xMax = pts.get(pts.size() - 1)[0];
        double top = Double.isNaN(yMax) ? pts.stream().mapToDouble(p -> p[1]).filter(Double::isFinite).max()
                .orElse(1) : yMax;
        StringBuilder poly = new StringBuilder();
        for (double[] p : pts) {
            double x = 40 + (w - 60) * (p[0] / Math.max(1, xMax));
            double y = h - 30 - (h - 50) * ((p[1] - yMin) / Math.max(1e-12, top - yMin));
            poly.append(String.format("%.1f,%.1f ", x, y));
        }
        return "<svg width=\"" + w + "\" height=\"" + h + "\" xmlns=\"http://www.w3.org/2000/svg\">"
                + "<line x1=\"40\" y1=\"" + (h - 30) + "\" x2=\"" + (w - 20) + "\" y2=\"" + (h - 30)
                + "\" stroke=\"black\"/><line x1=\"40\" y1=\"20\" x2=\"40\" y2=\"" + (h - 30) + "\" stroke=\"black\"/>"
                + "<text x=\"2\" y=\"24\" font-size=\"11\">" + fmt(top) + "</text>"
                + "<text x=\"2\" y=\"" + (h - 30) + "\" font-size=\"11\">" + fmt(yMin) + "</text>"
                + "<text x=\"" + (w - 60) + "\" y=\"" + (h - 10) + "\" font-size=\"11\">epoch " + (int) xMax + "</text>"
                + "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"" + poly + "\"/></svg>";
    }

    private static String fmt(double v) {
        return String.format("%.4g", v);
    }

    private static String pct(double v) {
        return String.format("%.2f%%", 100 * v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
