package org.resnetspark.data.imagenet.convert;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The raw ImageNet layout, listed on the driver: {@code train/<synset>/<files>} and {@code validation/} either
 * flat (labels from the validation labels file, one synset per line in sorted file-name order) or already split
 * into {@code validation/<synset>/} folders (as TF's {@code preprocess_imagenet_validation_data.py} leaves it).
 * Labels are 1-based positions in the synset list, as {@code build_imagenet_data.py} assigns them.
 *
 * @param synsets    the synset list; label of {@code synsets.get(i)} is {@code i + 1}
 * @param train      training images, sorted by path
 * @param validation validation images, sorted by path
 */
public record RawImageNetLayout(List<String> synsets, List<SourceImage> train, List<SourceImage> validation) {

    private static final float[][] NO_BOXES = new float[0][];

    /**
     * Lists and labels the raw images.
     *
     * @throws IllegalArgumentException for a missing folder or file, an image of a synset not in the synset
     *                                  list, or a validation labels file whose line count differs from the number
     *                                  of validation images; the message names the path
     */
    public static RawImageNetLayout scan(ConvertSettings s, Configuration conf) throws IOException {
        Path root = new Path(s.inputDir());
        FileSystem fs = root.getFileSystem(conf);
        Path trainDir = new Path(root, "train");
        Path validationDir = new Path(root, "validation");
        for (Path p : List.of(trainDir, validationDir)) {
            if (!fs.isDirectory(p)) {
                throw new IllegalArgumentException(fs.makeQualified(p) + " is not a directory; --input_dir needs"
                        + " train/<synset>/*.JPEG and validation/");
            }
        }
        Map<String, List<Path>> trainBySynset = bySubdirectory(fs, trainDir);
        List<String> synsets = s.labelsFile() != null ? lines(fs, new Path(s.labelsFile()))
                : new ArrayList<>(trainBySynset.keySet());
        Map<String, Integer> labels = new HashMap<>();
        for (int i = 0; i < synsets.size(); i++) {
            if (labels.putIfAbsent(synsets.get(i), i + 1) != null) {
                throw new IllegalArgumentException(s.labelsFile() + ": synset " + synsets.get(i) + " listed twice");
            }
        }
        Map<String, String> texts = texts(fs, root, s.metadataFile());
        Map<String, List<float[]>> boxes = boxes(fs, s.bboxCsv());

        List<SourceImage> train = new ArrayList<>();
        trainBySynset.forEach((synset, files) -> files.forEach(f -> train.add(image(fs, f, synset, labels, texts,
                boxes))));
        List<SourceImage> validation = new ArrayList<>();
        Map<String, List<Path>> validationBySynset = bySubdirectory(fs, validationDir);
        if (!validationBySynset.isEmpty()) {
            validationBySynset.forEach((synset, files) -> files.forEach(f -> validation.add(image(fs, f, synset,
                    labels, texts, boxes))));
        } else {
            List<Path> files = filesIn(fs, validationDir);
            Path labelsPath = s.validationLabelsFile() != null ? new Path(s.validationLabelsFile())
                    : new Path(root, ConvertSettings.VALIDATION_LABELS_NAME);
            List<String> validationSynsets = lines(fs, labelsPath);
            if (validationSynsets.size() != files.size()) {
                throw new IllegalArgumentException(fs.makeQualified(labelsPath) + " has " + validationSynsets.size()
                        + " lines for " + files.size() + " files in " + fs.makeQualified(validationDir)
                        + "; expected one synset per file, in sorted file-name order");
            }
            for (int i = 0; i < files.size(); i++) {
                validation.add(image(fs, files.get(i), validationSynsets.get(i), labels, texts, boxes));
            }
        }
        return new RawImageNetLayout(List.copyOf(synsets), List.copyOf(train), List.copyOf(validation));
    }

    private static SourceImage image(FileSystem fs, Path file, String synset, Map<String, Integer> labels,
                                     Map<String, String> texts, Map<String, List<float[]>> boxes) {
        Integer label = labels.get(synset);
        if (label == null) {
            throw new IllegalArgumentException(fs.makeQualified(file) + ": synset " + synset
                    + " is not in the synset list (--labels_file)");
        }
        List<float[]> b = boxes.getOrDefault(file.getName(), Collections.emptyList());
        return new SourceImage(fs.makeQualified(file).toString(), synset, label,
                texts.getOrDefault(synset, synset), b.isEmpty() ? NO_BOXES : b.toArray(new float[0][]));
    }

    /** Files of each subdirectory, subdirectories and files sorted by name; hidden entries ignored. */
    private static Map<String, List<Path>> bySubdirectory(FileSystem fs, Path dir) throws IOException {
        Map<String, List<Path>> out = new LinkedHashMap<>();
        FileStatus[] children = fs.listStatus(dir);
        Arrays.sort(children);
        for (FileStatus c : children) {
            if (c.isDirectory() && !hidden(c.getPath())) {
                out.put(c.getPath().getName(), filesIn(fs, c.getPath()));
            }
        }
        return out;
    }

    private static List<Path> filesIn(FileSystem fs, Path dir) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile() && !hidden(f.getPath())) {
                files.add(f.getPath());
            }
        }
        return new ArrayList<>(files);
    }

    private static boolean hidden(Path p) {
        return p.getName().startsWith(".") || p.getName().startsWith("_");
    }

    private static List<String> lines(FileSystem fs, Path file) throws IOException {
        if (!fs.isFile(file)) {
            throw new IllegalArgumentException(fs.makeQualified(file) + " does not exist");
        }
        List<String> out = new ArrayList<>();
        try (BufferedReader r = reader(fs, file)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(line.trim());
                }
            }
        }
        return out;
    }

    private static Map<String, String> texts(FileSystem fs, Path root, String metadataFile) throws IOException {
        Path file = metadataFile != null ? new Path(metadataFile) : new Path(root, ConvertSettings.METADATA_NAME);
        Map<String, String> texts = new HashMap<>();
        if (metadataFile == null && !fs.isFile(file)) {
            return texts;
        }
        for (String line : lines(fs, file)) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                texts.put(line.substring(0, tab).trim(), line.substring(tab + 1).trim());
            }
        }
        return texts;
    }

    private static Map<String, List<float[]>> boxes(FileSystem fs, String csv) throws IOException {
        if (csv == null) {
            return Map.of();
        }
        Path file = new Path(csv);
        if (!fs.isFile(file)) {
            throw new IllegalArgumentException(fs.makeQualified(file) + " does not exist (--bbox_csv)");
        }
        try (BufferedReader r = reader(fs, file)) {
            return BoundingBoxCsv.read(r, fs.makeQualified(file).toString());
        }
    }

    private static BufferedReader reader(FileSystem fs, Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8));
    }
}
