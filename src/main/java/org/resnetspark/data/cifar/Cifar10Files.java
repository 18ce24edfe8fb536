package org.resnetspark.data.cifar;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.resnetspark.data.InvalidDataException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The CIFAR-10 binary distribution on a Hadoop filesystem: {@code data_batch_1.bin .. data_batch_5.bin}
 * (training), {@code test_batch.bin} (evaluation), {@code batches.meta.txt} (class names, one a line), each
 * record {@value #RECORD_BYTES} bytes: a label byte 0..9, then 1024 red, 1024 green and 1024 blue bytes of a
 * 32x32 image, row-major.
 *
 * <p>{@code --data_dir} may name the {@code cifar-10-batches-bin/} directory, its parent, or the
 * {@code cifar-10-binary.tar.gz} archive (extracted once by {@link ArchiveCache}).
 */
public final class Cifar10Files {

    public static final int IMAGE_SIZE = 32;
    public static final int CHANNELS = 3;
    public static final int NUM_CLASSES = 10;
    /** One label byte plus 3 x 32 x 32 pixel bytes. */
    public static final int RECORD_BYTES = 1 + CHANNELS * IMAGE_SIZE * IMAGE_SIZE;
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    public static final String TEST_FILE = "test_batch.bin";
    public static final String META_FILE = "batches.meta.txt";
    static final String BATCHES_DIR = "cifar-10-batches-bin";

    private final Path dir;
    private final Configuration conf;

    private Cifar10Files(Path dir, Configuration conf) {
        this.dir = dir;
        this.conf = conf;
    }

    /**
     * Whether {@code dataDir} looks like CIFAR-10 binaries: a {@code .tar.gz}/{@code .tgz} whose first entry lies
     * in {@code cifar-10-batches-bin/}, or a directory holding {@code test_batch.bin} or
     * {@code data_batch_1.bin} (itself or in a {@code cifar-10-batches-bin} child). False when it does not
     * exist or cannot be read.
     */
    public static boolean looksLikeCifar10(String dataDir, Configuration conf) {
        try {
            Path p = new Path(dataDir);
            FileSystem fs = p.getFileSystem(conf);
            if (!fs.exists(p)) {
                return false;
            }
            if (fs.getFileStatus(p).isFile()) {
                return isArchiveName(p) && firstEntry(fs, p).startsWith(BATCHES_DIR + "/");
            }
            return holdsBatches(fs, p) || holdsBatches(fs, new Path(p, BATCHES_DIR));
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The CIFAR-10 files under {@code dataDir}, extracting an archive into {@code cacheRoot} first.
     *
     * @throws InvalidDataException when a training or test file is missing
     */
    public static Cifar10Files locate(String dataDir, String cacheRoot, Configuration conf) throws IOException {
        Path p = new Path(dataDir);
        FileSystem fs = p.getFileSystem(conf);
        Path dir = fs.makeQualified(p);
        if (fs.getFileStatus(p).isFile()) {
            dir = ArchiveCache.extract(dir, new Path(cacheRoot), conf);
            fs = dir.getFileSystem(conf);
        }
        if (!holdsBatches(fs, dir) && fs.exists(new Path(dir, BATCHES_DIR))) {
            dir = new Path(dir, BATCHES_DIR);
        }
        List<String> missing = new ArrayList<>();
        for (String f : allDataFiles()) {
            if (!fs.exists(new Path(dir, f))) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidDataException(dir + ": missing " + String.join(", ", missing)
                    + " (expected data_batch_1..5.bin and test_batch.bin)");
        }
        return new Cifar10Files(dir, conf);
    }

    /** The directory holding the .bin files. */
    public Path dir() {
        return dir;
    }

    public List<Path> trainFiles() {
        return TRAIN_FILES.stream().map(f -> new Path(dir, f)).toList();
    }

    public Path testFile() {
        return new Path(dir, TEST_FILE);
    }

    /** File length in bytes. */
    public long size(Path file) throws IOException {
        return file.getFileSystem(conf).getFileStatus(file).getLen();
    }

    /**
     * The class names of {@value #META_FILE} (non-empty lines, index = label).
     *
     * @throws InvalidDataException when the file is missing or does not name {@value #NUM_CLASSES} classes
     */
    public List<String> classNames() throws IOException {
        Path meta = new Path(dir, META_FILE);
        FileSystem fs = meta.getFileSystem(conf);
        if (!fs.exists(meta)) {
            throw new InvalidDataException(meta + ": missing (expected the " + NUM_CLASSES + " class names)");
        }
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(meta), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank()) {
                    names.add(line.strip());
                }
            }
        }
        if (names.size() != NUM_CLASSES) {
            throw new InvalidDataException(meta + ": " + names.size() + " class names, expected " + NUM_CLASSES);
        }
        return names;
    }

    private static List<String> allDataFiles() {
        List<String> all = new ArrayList<>(TRAIN_FILES);
        all.add(TEST_FILE);
        return all;
    }

    private static boolean holdsBatches(FileSystem fs, Path dir) throws IOException {
        return fs.exists(new Path(dir, TEST_FILE)) || fs.exists(new Path(dir, TRAIN_FILES.get(0)));
    }

    private static boolean isArchiveName(Path p) {
        String n = p.getName();
        return n.endsWith(".tar.gz") || n.endsWith(".tgz");
    }

    /** Name of the archive's first non-empty entry (reads only its first tar header). */
    private static String firstEntry(FileSystem fs, Path archive) throws IOException {
        try (InputStream in = fs.open(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            TarArchiveEntry e = tar.getNextTarEntry();
            return e == null ? "" : e.getName().replaceFirst("^\\./", "");
        } catch (java.util.zip.ZipException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
