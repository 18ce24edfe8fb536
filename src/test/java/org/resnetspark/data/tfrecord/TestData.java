package org.resnetspark.data.tfrecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;

/** The shared, read-only TFRecord files written by TensorFlow, and copies of them to damage. */
final class TestData {

    static final String SHAPES_TRAIN = "shapes-train-00000-of-00001";
    static final String SHAPES_VALIDATION = "shapes-validation-00000-of-00001";
    static final String VOC_VAL = "voc-val-00000-of-00001";
    static final String PENGUIN_GZ = "penguin-train-00000-of-00001.gz";

    static final long SHAPES_TRAIN_RECORDS = 858;
    static final long SHAPES_VALIDATION_RECORDS = 165;
    static final long VOC_RECORDS = 3;
    static final long PENGUIN_RECORDS = 234;

    private TestData() {
    }

    static Path dir() {
        String dir = System.getProperty("shared.data.dir");
        if (dir == null) {
            throw new IllegalStateException("system property shared.data.dir is not set (surefire sets it)");
        }
        return Paths.get(dir, "tfrecord").toAbsolutePath().normalize();
    }

    static Path file(String name) {
        return dir().resolve(name);
    }

    static String uri(String name) {
        return file(name).toUri().toString();
    }

    /** Byte offset where each record of an uncompressed TFRecord file starts (its 12-byte length header). */
    static long[] recordOffsets(byte[] file) {
        java.util.List<Long> offsets = new java.util.ArrayList<>();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long pos = 0;
        while (pos < file.length) {
            offsets.add(pos);
            pos += 12 + b.getLong((int) pos) + 4;
        }
        return offsets.stream().mapToLong(Long::longValue).toArray();
    }

    /** A writable copy of a shared file in {@code dir}, under {@code newName}. */
    static Path copy(String name, Path dir, String newName) throws IOException {
        Path target = dir.resolve(newName);
        Files.copy(file(name), target, StandardCopyOption.REPLACE_EXISTING);
        target.toFile().setWritable(true);
        return target;
    }
}
