package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.EpochMetrics;
import org.resnetspark.train.RunReport;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** promote: the decision, its exit codes, and the production directory it maintains. */
class PromoteCommandTest {

    /** A model_dir as train leaves it (metrics.json written by the real RunReport) with an export/ bundle. */
    private static File candidate(File root, String name, double top1, double loss) throws Exception {
        File dir = new File(root, name);
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), new Configuration(), 1);
        RunReport report = new RunReport(store, Map.of(), List.of("a", "b"), 0);
        report.add(new EpochMetrics(1, 10, 0.1, 1.0, 100, 1, 0, new EpochMetrics.Eval(top1, 1.0, loss, 10,
                List.of(top1, top1), new long[][] {{5, 0}, {0, 5}}, 1)));
        File export = new File(dir, "export");
        export.mkdirs();
        Files.writeString(new File(export, "metadata.json").toPath(), "{\"name\":\"" + name + "\"}");
        return dir;
    }

    private static CliTest.Run promote(File candidate, File production, String... extra) {
        String[] base = {"promote", "--candidate", candidate.getAbsolutePath(), "--production",
                production.getAbsolutePath()};
        return CliTest.run(TrainEvaluateCliTest.concat(base, extra));
    }

    private static JsonNode pointer(File production) throws Exception {
        return new ObjectMapper().readTree(new File(production, "current.json"));
    }

    private static String servedName(File production) throws Exception {
        File bundle = new File(production, pointer(production).get("bundle").asText());
        return Files.readString(new File(bundle, "metadata.json").toPath());
    }

    @Test
    void promotesOnlyWhenBetterAndKeepsThePreviousBundle(@TempDir File dir) throws Exception {
        File production = new File(dir, "production");
        CliTest.Run first = promote(candidate(dir, "night1", 0.70, 1.1), production);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().startsWith("promoted: top_1 0.700000 (production was empty)"), first.out());
        assertTrue(servedName(production).contains("night1"));
        assertTrue(new File(production, pointer(production).get("bundle").asText() + "/metrics.json").isFile(),
                "the bundle keeps the metrics it was judged by");

        CliTest.Run worse = promote(candidate(dir, "night2", 0.69, 1.0), production);
        assertEquals(3, worse.code(), worse.out() + worse.err());
        assertTrue(worse.out().contains("not promoted: top_1 0.690000 does not beat production's 0.700000"));
        assertTrue(servedName(production).contains("night1"), "production unchanged");

        CliTest.Run marginal = promote(candidate(dir, "night3", 0.705, 1.0), production, "--min_delta", "0.01");
        assertEquals(3, marginal.code(), "better, but not by more than --min_delta");

        Thread.sleep(1100); // bundle names are UTC timestamps with second resolution
        CliTest.Run better = promote(candidate(dir, "night4", 0.75, 0.9), production);
        assertEquals(0, better.code(), better.err());
        assertTrue(servedName(production).contains("night4"));
        String previous = pointer(production).get("previous").asText();
        assertTrue(Files.readString(new File(production, previous + "/metadata.json").toPath()).contains("night1"),
                "the previous bundle stays for rollback");
        assertEquals(2, new File(production, "bundles").list((d, n) -> !n.startsWith(".")).length);
    }

    @Test
    void lossIsBetterWhenLowerAndAMetricChangeIsRefused(@TempDir File dir) throws Exception {
        File production = new File(dir, "production");
        assertEquals(0, promote(candidate(dir, "a", 0.5, 1.0), production, "--metric", "loss").code());
        assertEquals(3, promote(candidate(dir, "b", 0.9, 1.2), production, "--metric", "loss").code(),
                "higher loss is worse even with better top-1");
        CliTest.Run mixed = promote(candidate(dir, "c", 0.9, 0.5), production, "--metric", "top_1");
        assertEquals(1, mixed.code());
        assertTrue(mixed.err().contains("was promoted by loss, not top_1; use --metric loss"), mixed.err());
    }

    @Test
    void errorsAreOneLineWithDistinctCodes(@TempDir File dir) throws Exception {
        File production = new File(dir, "production");
        File empty = new File(dir, "empty");
        empty.mkdirs();
        CliTest.Run missing = promote(empty, production);
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("has no metrics.json"), missing.err());
        assertEquals(1, missing.err().strip().lines().count());
        assertFalse(new File(production, "current.json").exists());

        CliTest.Run badMetric = promote(candidate(dir, "x", 0.5, 1), production, "--metric", "f1");
        assertEquals(2, badMetric.code());
        assertTrue(badMetric.err().contains("expected top_1, top_5 or loss"), badMetric.err());

        File noExport = candidate(dir, "y", 0.5, 1);
        CliTest.Run noBundle = promote(noExport, production, "--candidate_export",
                new File(dir, "nowhere").getAbsolutePath());
        assertEquals(1, noBundle.code());
        assertTrue(noBundle.err().contains("is not a directory (run 'export' first)"), noBundle.err());
    }
}
