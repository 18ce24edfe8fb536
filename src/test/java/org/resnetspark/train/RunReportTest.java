package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {

    private static EpochMetrics.Eval eval(int classes, long[][] confusion) {
        long correct = 0;
        long total = 0;
        List<Double> perClass = new ArrayList<>();
        for (int a = 0; a < classes; a++) {
            long row = 0;
            for (long c : confusion[a]) {
                row += c;
            }
            perClass.add(row == 0 ? Double.NaN : confusion[a][a] / (double) row);
            correct += confusion[a][a];
            total += row;
        }
        return new EpochMetrics.Eval(correct / (double) total, 0.9, 1.5, total, perClass, confusion, 2.0);
    }

    @Test
    void smallClassCountsGetTheFullConfusionMatrixAndAHeatMap(@TempDir File dir) throws Exception {
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), new Configuration(), 2);
        RunReport report = new RunReport(store, Map.of("resnet_size", 8), List.of("cat", "dog", "ship"), 0);
        long[][] confusion = {{8, 2, 0}, {1, 9, 0}, {0, 3, 7}};
        report.add(new EpochMetrics(1, 10, 0.1, 2.0, 320, 4.0, 0, eval(3, confusion)));
        report.add(new EpochMetrics(2, 20, 0.1, 1.8, 320, 4.0, 1, null));

        JsonNode m = new ObjectMapper().readTree(new File(dir, "metrics.json"));
        assertEquals(List.of("cat", "dog", "ship"), new ObjectMapper().convertValue(m.get("classes"), List.class));
        JsonNode ev = m.get("epochs").get(0).get("eval");
        assertEquals(24 / 30.0, ev.get("top1").asDouble(), 1e-12);
        assertEquals(1.5, ev.get("loss").asDouble());
        assertEquals(3, ev.get("confusion").get(2).get(1).asLong());
        assertEquals(6.0, m.get("epochs").get(0).get("elapsed_seconds").asDouble(), "training + evaluation time");
        assertEquals(10.0, m.get("epochs").get(1).get("elapsed_seconds").asDouble());
        assertEquals(1, m.get("epochs").get(1).get("bad_records").asLong());

        String html = Files.readString(new File(dir, "report.html").toPath());
        assertTrue(html.contains("<h2>Confusion matrix</h2>"), "heat map section");
        assertTrue(html.contains("<title>ship as dog: 3</title>"), "cells name actual and predicted class");
        assertTrue(html.contains(">70.0%</text>"), "per-class bar for ship");
        assertTrue(html.endsWith("</html>\n"));
    }

    @Test
    void manyClassesListTheMostConfusedPairsInstead(@TempDir File dir) throws Exception {
        int n = 150;
        List<String> names = new ArrayList<>(Collections.nCopies(n, ""));
        long[][] confusion = new long[n][n];
        for (int c = 0; c < n; c++) {
            names.set(c, "class" + c);
            confusion[c][c] = 5;
        }
        confusion[7][9] = 4;
        confusion[100][3] = 6;
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), new Configuration(), 2);
        new RunReport(store, Map.of(), names, 0).add(new EpochMetrics(1, 1, 0.1, 2, 1, 1, 0, eval(n, confusion)));

        JsonNode ev = new ObjectMapper().readTree(new File(dir, "metrics.json")).get("epochs").get(0).get("eval");
        assertFalse(ev.has("confusion"));
        assertEquals(100, ev.get("most_confused").get(0).get("actual").asInt());
        assertEquals(3, ev.get("most_confused").get(0).get("predicted").asInt());
        assertEquals(6, ev.get("most_confused").get(0).get("count").asLong());
        assertEquals(2, ev.get("most_confused").size());
        String html = Files.readString(new File(dir, "report.html").toPath());
        assertTrue(html.contains("<td>class100</td><td>class3</td><td>6</td>"), "most-confused table");
        assertTrue(html.contains("(the 20 worst classes)"));
    }
}
