package org.resnetspark.data.cifar;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;

/** The real CIFAR-10 archive of ../shared/data (read-only), extracted once under target/, and small copies. */
public final class CifarTestData {

    private static java.nio.file.Path extracted;

    private CifarTestData() {
    }

    static File archive() {
        File f = new File(System.getProperty("shared.data.dir", "../shared/data"), "cifar10/cifar-10-binary.tar.gz");
        if (!f.isFile()) {
            throw new IllegalStateException("missing " + f.getAbsolutePath() + " (set -Dshared.data.dir)");
        }
        return f;
    }

    /** Cache root for extractions made by tests (kept between runs: ArchiveCache reuses it). */
    public static File cacheRoot() {
        return new File("target/test-cifar-cache").getAbsoluteFile();
    }

    /** The extracted cifar-10-batches-bin directory of the real archive. */
    static synchronized java.nio.file.Path batchesDir() throws IOException {
        if (extracted == null) {
            Path dir = ArchiveCache.extract(new Path(archive().toURI()), new Path(cacheRoot().toURI()),
                    new Configuration());
            extracted = new File(new File(dir.toUri()), Cifar10Files.BATCHES_DIR).toPath();
        }
        return extracted;
    }

    /**
     * A CIFAR-10 directory in {@code dir} holding the first {@code trainPerFile} records of each training file,
     * the first {@code test} test records and the real batches.meta.txt.
     */
    public static java.nio.file.Path subset(java.nio.file.Path dir, int trainPerFile, int test) throws IOException {
        java.nio.file.Path src = batchesDir();
        Files.createDirectories(dir);
        for (String f : Cifar10Files.TRAIN_FILES) {
            copyRecords(src.resolve(f), dir.resolve(f), trainPerFile);
        }
        copyRecords(src.resolve(Cifar10Files.TEST_FILE), dir.resolve(Cifar10Files.TEST_FILE), test);
        Files.copy(src.resolve(Cifar10Files.META_FILE), dir.resolve(Cifar10Files.META_FILE));
        return dir;
    }

    /**
     * A CIFAR-10 directory in {@code dir} holding only the real records of classes {@code first .. first+4},
     * relabelled {@code 0..4}: up to {@code trainPerClass} per class from each training file, up to
     * {@code testPerClass} per class from the test file. batches.meta.txt names the five classes as labels 0..4 and
     * {@code unused5..unused9} after them (the format wants ten names).
     */
    public static java.nio.file.Path fiveClasses(java.nio.file.Path dir, int first, int trainPerClass,
                                                 int testPerClass) throws IOException {
        java.nio.file.Path src = batchesDir();
        Files.createDirectories(dir);
        for (String f : Cifar10Files.TRAIN_FILES) {
            copyClasses(src.resolve(f), dir.resolve(f), first, trainPerClass);
        }
        copyClasses(src.resolve(Cifar10Files.TEST_FILE), dir.resolve(Cifar10Files.TEST_FILE), first, testPerClass);
        java.util.List<String> names = Files.readAllLines(src.resolve(Cifar10Files.META_FILE)).stream()
                .filter(l -> !l.isBlank()).toList();
        StringBuilder meta = new StringBuilder();
        for (int c = 0; c < 10; c++) {
            meta.append(c < 5 ? names.get(first + c) : "unused" + c).append('\n');
        }
        Files.writeString(dir.resolve(Cifar10Files.META_FILE), meta);
        return dir;
    }

    private static void copyClasses(java.nio.file.Path from, java.nio.file.Path to, int first, int perClass)
            throws IOException {
        byte[] all = Files.readAllBytes(from);
        int[] taken = new int[5];
        try (OutputStream out = Files.newOutputStream(to)) {
            for (int at = 0; at < all.length; at += Cifar10Files.RECORD_BYTES) {
                int c = (all[at] & 0xff) - first;
                if (c >= 0 && c < 5 && taken[c] < perClass) {
                    taken[c]++;
                    byte[] rec = java.util.Arrays.copyOfRange(all, at, at + Cifar10Files.RECORD_BYTES);
                    rec[0] = (byte) c;
                    out.write(rec);
                }
            }
        }
    }

    private static void copyRecords(java.nio.file.Path from, java.nio.file.Path to, int records) throws IOException {
        try (InputStream in = Files.newInputStream(from); OutputStream out = Files.newOutputStream(to)) {
            out.write(in.readNBytes(records * Cifar10Files.RECORD_BYTES));
        }
    }
}
