package org.resnetspark.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.fs.Path;

import java.io.IOException;

/** An evaluation metric of {@code metrics.json} that decides promotions, with its direction. */
public enum Metric {
    TOP_1("top1", true),
    TOP_5("top5", true),
    LOSS("loss", false);

    private final String key;
    private final boolean higherIsBetter;

    Metric(String key, boolean higherIsBetter) {
        this.key = key;
        this.higherIsBetter = higherIsBetter;
    }

    /** Parses {@code top_1}, {@code top_5} or {@code loss}. */
    public static Metric parse(String s) {
        for (Metric m : values()) {
            if (m.name().equalsIgnoreCase(s)) {
                return m;
            }
        }
        throw new IllegalArgumentException("invalid metric '" + s + "': expected top_1, top_5 or loss");
    }

    /** The value of the latest evaluation in a run's metrics.json. */
    double latest(JsonNode metrics, Path source) throws IOException {
        JsonNode epochs = metrics.path("epochs");
        for (int i = epochs.size() - 1; i >= 0; i--) {
            JsonNode v = epochs.get(i).path("eval").path(key);
            if (v.isNumber()) {
                return v.asDouble();
            }
        }
        throw new IOException(source + " has no evaluation with " + key + " (did the run evaluate?)");
    }

    /** Whether {@code candidate} beats {@code production} by more than {@code minDelta}. */
    boolean better(double candidate, double production, double minDelta) {
        return higherIsBetter ? candidate > production + minDelta : candidate < production - minDelta;
    }

    @Override
    public String toString() {
        return name().toLowerCase();
    }
}
