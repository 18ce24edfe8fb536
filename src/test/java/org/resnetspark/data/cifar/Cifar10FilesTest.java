package org.resnetspark.data.cifar;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.InvalidDataException;

import java.io.File;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Detection, location, class names and the archive cache, on the real archive (no Spark). */
class Cifar10FilesTest {

    private final Configuration conf = new Configuration();

    @Test
    void detectsTheArchiveTheBatchesDirAndItsParentButNotOtherData(@TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path batches = CifarTestData.batchesDir();
        assertTrue(Cifar10Files.looksLikeCifar10(CifarTestData.archive().getPath(), conf));
        assertTrue(Cifar10Files.looksLikeCifar10(batches.toString(), conf));
        assertTrue(Cifar10Files.looksLikeCifar10(batches.getParent().toUri().toString(), conf));
        File tfrecords = new File(CifarTestData.archive().getParentFile().getParentFile(), "tfrecord");
        assertFalse(Cifar10Files.looksLikeCifar10(tfrecords.getPath(), conf));
        assertFalse(Cifar10Files.looksLikeCifar10(tmp.resolve("absent").toString(), conf));
        java.nio.file.Path notTar = Files.write(tmp.resolve("x.tar.gz"), new byte[] {1, 2, 3});
        assertFalse(Cifar10Files.looksLikeCifar10(notTar.toString(), conf));
    }

    @Test
    void classNamesComeFromBatchesMeta() throws Exception {
        Cifar10Files files = Cifar10Files.locate(CifarTestData.batchesDir().getParent().toString(),
                CifarTestData.cacheRoot().toString(), conf);
        assertEquals(java.util.List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                "ship", "truck"), files.classNames());
        assertEquals(Cifar10Files.BATCHES_DIR, files.dir().getName());
        assertEquals(10_000L * Cifar10Files.RECORD_BYTES, files.size(files.testFile()));
    }

    @Test
    void missingFilesAreNamed(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("c"), 1, 1);
        Files.delete(dir.resolve("data_batch_4.bin"));
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> Cifar10Files.locate(dir.toString(), tmp.toString(), conf));
        assertTrue(e.getMessage().endsWith(": missing data_batch_4.bin (expected data_batch_1..5.bin and"
                + " test_batch.bin)"), e.getMessage());
    }

    @Test
    void archiveIsExtractedOnceAndAgainWhenIncomplete(@TempDir java.nio.file.Path tmp) throws Exception {
        // a small real archive: 3 records per file, tarred like the original
        java.nio.file.Path src = CifarTestData.subset(tmp.resolve("src").resolve(Cifar10Files.BATCHES_DIR), 3, 3);
        java.nio.file.Path archive = TarGz.write(src, tmp.resolve("cifar-10-binary.tar.gz"));
        assertTrue(Cifar10Files.looksLikeCifar10(archive.toString(), conf));
        Path cache = new Path(tmp.resolve("cache").toUri());
        Path first = ArchiveCache.extract(new Path(archive.toUri()), cache, conf);
        File bin = new File(new File(first.toUri()), Cifar10Files.BATCHES_DIR + "/data_batch_1.bin");
        assertEquals(3L * Cifar10Files.RECORD_BYTES, bin.length());
        long stamp = bin.lastModified() - 10_000;
        assertTrue(bin.setLastModified(stamp));
        assertEquals(first, ArchiveCache.extract(new Path(archive.toUri()), cache, conf));
        assertEquals(stamp, bin.lastModified(), "complete extraction reused, not rewritten");

        Files.write(bin.toPath(), new byte[10]); // a damaged cache: wrong size
        assertEquals(first, ArchiveCache.extract(new Path(archive.toUri()), cache, conf));
        assertEquals(3L * Cifar10Files.RECORD_BYTES, bin.length(), "extracted again");
        assertNotEquals(stamp, bin.lastModified());
        assertEquals(1, new File(cache.toUri()).list().length, "only the extraction, no temp dirs left");
    }
}
