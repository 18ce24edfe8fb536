package org.resnetspark.notebooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.cifar.CifarTestData;
import org.resnetspark.testing.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every paragraph of every Zeppelin note in {@code notebooks/}, in order, as Zeppelin's Spark interpreter
 * would ({@link ZeppelinNoteRunner}, a JVM of its own with a local[2] SparkSession), on small real data given
 * through the notes' forms; then checks what the notes produced.
 */
class ZeppelinNotesTest {

    private static final Path NOTES = Path.of("notebooks");
    private static final Path DATA = Path.of(System.getProperty("shared.data.dir", "../shared/data"));
    private static final List<String> QUIRKS = List.of("cmyk.jpg", "grayscale.jpg", "progressive.jpg",
            "png-named-as.JPEG", "large-2725x2225.jpg", "small-64x64.jpg", "truncated-half.JPEG");

    @TempDir
    Path tmp;

    @Test
    void everyNoteIsRunByThisTest() throws IOException {
        try (Stream<Path> s = Files.list(NOTES)) {
            Set<String> notes = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".zpln"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("cifar10-resnet20.zpln", "shapes-tfrecords-spark-ml.zpln"), notes,
                    "a new note needs a test here that runs it");
        }
    }

    @Test
    void cifar10NoteTrainsEvaluatesExportsAndScores() throws Exception {
        Path data = CifarTestData.subset(tmp.resolve("cifar-10-batches-bin"), 40, 100);
        Path model = tmp.resolve("model");
        String out = run("cifar10-resnet20.zpln", Map.of("data_dir", data.toString(), "model_dir", model.toString(),
                "images_dir", DATA.resolve("jpeg/quirks").toString(), "resnet_size", "8", "batch_size", "32",
                "train_epochs", "2"));

        assertTrue(out.contains("|0    |airplane  |20   |"), "CIFAR-10 DataFrame: 20 airplanes among the 200");
        assertEquals(24, count(out.substring(out.indexOf("%html <figure")).split("\n")[0], "<figure"),
                "image grid of 24");
        assertEquals(2, epochs(model).size());
        assertTrue(out.contains("after epoch 2: test top-1 "), out);
        assertTrue(Files.isRegularFile(model.resolve("export/model.zip")));
        assertTrue(out.contains("scored 7 images (1 could not be read)"), out);
    }

    @Test
    void shapesNoteReadsTfRecordsTrainsThroughSparkMlAndScores() throws Exception {
        Path model = tmp.resolve("model");
        String out = run("shapes-tfrecords-spark-ml.zpln", Map.of(
                "train_files", DATA.resolve("tfrecord/shapes-train-00000-of-00001").toString(),
                "validation_files", DATA.resolve("tfrecord/shapes-validation-00000-of-00001").toString(),
                "images_dir", DATA.resolve("jpeg/quirks").toString(), "model_dir", model.toString(), "epochs", "2"));

        assertTrue(out.contains("858 training and 165 validation images, 33 classes"), out);
        List<JsonNode> epochs = epochs(model);
        assertEquals(2, epochs.size(), "epochsBetweenEvals(1): an evaluation per epoch");
        assertTrue(out.contains("|165   |"), "validation accuracy over the 165 images");
        assertTrue(Files.isDirectory(model.resolve("spark-ml-model/metadata")));
        String scored = out.substring(out.indexOf("paragraph 11 (Score a folder of images)"));
        for (String quirk : QUIRKS) {
            assertTrue(scored.contains(quirk), quirk + " scored");
        }
        assertTrue(scored.matches("(?s).*truncated-half\\.JPEG\\|NULL\\s*\\|NULL.*"), "the truncated photo has no"
                + " prediction: " + scored);
    }

    /** Runs the note in its own JVM and returns its output, after checking every paragraph ran. */
    private String run(String note, Map<String, String> forms) throws Exception {
        File log = tmp.resolve(note + ".log").toFile();
        List<String> args = new ArrayList<>(List.of(NOTES.resolve(note).toString()));
        new TreeMap<>(forms).forEach((k, v) -> args.add(k + "=" + v));
        List<String> cmd = ChildJvm.command(List.of(), ZeppelinNoteRunner.class.getName(), args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(note + " timed out; output: " + Files.readString(log.toPath()));
        }
        String out = Files.readString(log.toPath());
        assertEquals(0, p.exitValue(), () -> note + " failed:\n" + out);
        JsonNode paragraphs = new ObjectMapper().readTree(NOTES.resolve(note).toFile()).path("paragraphs");
        for (int i = 1; i <= paragraphs.size(); i++) {
            assertTrue(out.contains(note + " paragraph " + i + " ("), "paragraph " + i + " ran");
        }
        assertTrue(out.contains("NOTE OK: " + note), out);
        return out;
    }

    private static List<JsonNode> epochs(Path model) throws IOException {
        List<JsonNode> l = new ArrayList<>();
        new ObjectMapper().readTree(model.resolve("metrics.json").toFile()).path("epochs").forEach(l::add);
        return l;
    }

    private static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }
}
