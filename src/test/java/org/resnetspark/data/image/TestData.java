package org.resnetspark.data.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Locates the shared read-only test data (system property {@code shared.data.dir}, set by surefire). */
public final class TestData {
    private TestData() {
    }

    public static Path dir() {
        return Path.of(System.getProperty("shared.data.dir", "../shared/data"));
    }

    public static Path quirk(String name) {
        return dir().resolve("jpeg/quirks").resolve(name);
    }

    public static Path samplePhotos() {
        return dir().resolve("jpeg/imagenet-sample-200");
    }

    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows of labels.tsv after the header: file, synset, class index, WxH, components, bytes. */
    public static List<String[]> sampleLabels() {
        try {
            List<String[]> rows = new ArrayList<>();
            List<String> lines = Files.readAllLines(samplePhotos().resolve("labels.tsv"));
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    rows.add(line.split("\t"));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
