package org.resnetspark.data.imagenet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The 200 real ImageNet photos of {@code ../shared/data/jpeg/imagenet-sample-200} arranged in the raw layout the
 * converter reads: every 5th photo (sorted by name) goes to a flat {@code validation/} folder with
 * {@code imagenet_2012_validation_synset_labels.txt}, the other 160 to {@code train/<synset>/}; the quirk files
 * {@code cmyk.jpg} and {@code png-named-as.JPEG} join the first training synset as {@code .JPEG} files (as in
 * ImageNet). {@code synsets.txt} lists all 200 synsets sorted (validation synsets have no training folder), and
 * {@code boxes.csv} gives two boxes, one partly outside the image.
 */
public final class RawImageNetFixture {

    public static final int TRAIN_PHOTOS = 160;
    public static final int VALIDATION = 40;
    /** 160 photos + the CMYK and the PNG quirk. */
    public static final int TRAIN = TRAIN_PHOTOS + 2;
    public static final int SYNSETS = 200;
    public static final String CMYK_NAME = "cmyk_quirk.JPEG";
    public static final String PNG_NAME = "png_quirk.JPEG";

    /** One photo of labels.tsv. */
    public record Photo(String file, String synset) {
    }

    public final Path root;
    public final Path labelsFile;
    public final Path bboxCsv;
    public final List<String> synsets;
    public final List<Photo> train = new ArrayList<>();
    public final List<Photo> validation = new ArrayList<>();
    /** The synset that holds the quirk files. */
    public final String quirkSynset;
    /** The training photo with boxes in boxes.csv. */
    public final String boxedFile;

    private RawImageNetFixture(Path root) throws IOException {
        this.root = root;
        Path sample = shared().resolve("jpeg/imagenet-sample-200");
        List<Photo> photos = new ArrayList<>();
        for (String line : Files.readAllLines(sample.resolve("labels.tsv"))) {
            String[] f = line.split("\t");
            if (!f[0].equals("file")) {
                photos.add(new Photo(f[0], f[1]));
            }
        }
        photos.sort((a, b) -> a.file().compareTo(b.file()));
        TreeSet<String> all = new TreeSet<>();
        for (int i = 0; i < photos.size(); i++) {
            (i % 5 == 4 ? validation : train).add(photos.get(i));
            all.add(photos.get(i).synset());
        }
        synsets = List.copyOf(all);
        for (Photo p : train) {
            copy(sample.resolve(p.file()), root.resolve("train").resolve(p.synset()).resolve(p.file()));
        }
        List<String> validationLabels = new ArrayList<>();
        for (Photo p : validation) { // already in sorted file-name order
            copy(sample.resolve(p.file()), root.resolve("validation").resolve(p.file()));
            validationLabels.add(p.synset());
        }
        Files.write(root.resolve("imagenet_2012_validation_synset_labels.txt"), validationLabels);
        quirkSynset = train.get(0).synset();
        copy(shared().resolve("jpeg/quirks/cmyk.jpg"), root.resolve("train").resolve(quirkSynset).resolve(CMYK_NAME));
        copy(shared().resolve("jpeg/quirks/png-named-as.JPEG"),
                root.resolve("train").resolve(quirkSynset).resolve(PNG_NAME));
        labelsFile = root.resolve("synsets.txt");
        Files.write(labelsFile, synsets);
        boxedFile = train.get(1).file();
        bboxCsv = root.resolve("boxes.csv");
        Files.write(bboxCsv, List.of(boxedFile + ",0.1,0.2,0.6,0.7", boxedFile + ",-0.05,0.5,1.2,0.9"));
    }

    /** Builds the layout under {@code root/raw}. */
    public static RawImageNetFixture create(Path root) throws IOException {
        return new RawImageNetFixture(root.resolve("raw"));
    }

    /** 1-based label of a synset (its position in the sorted list of 200 + 1). */
    public int label(String synset) {
        return synsets.indexOf(synset) + 1;
    }

    public static Path shared() {
        String dir = System.getProperty("shared.data.dir");
        if (dir == null) {
            throw new IllegalStateException("system property shared.data.dir is not set (surefire sets it)");
        }
        return Paths.get(dir).toAbsolutePath().normalize();
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
        to.toFile().setWritable(true);
    }
}
