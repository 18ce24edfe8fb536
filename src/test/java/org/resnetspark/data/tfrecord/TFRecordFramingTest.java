package org.resnetspark.data.tfrecord;

import org.junit.jupiter.api.Test;
import org.tensorflow.hadoop.util.TFRecordReader;
import org.tensorflow.hadoop.util.TFRecordWriter;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TFRecord framing alone, against TensorFlow's own files and tensorflow-hadoop's reader and writer. */
class TFRecordFramingTest {

    private static final List<byte[]> PAYLOADS = List.of(
            "first".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[70_000],
            "last record".getBytes(StandardCharsets.UTF_8));

    @Test
    void readsEveryRecordOfTensorFlowWrittenFiles() throws IOException {
        assertEquals(TestData.SHAPES_TRAIN_RECORDS, countRecords(TestData.SHAPES_TRAIN, Compression.NONE));
        assertEquals(TestData.SHAPES_VALIDATION_RECORDS, countRecords(TestData.SHAPES_VALIDATION, Compression.NONE));
        assertEquals(TestData.VOC_RECORDS, countRecords(TestData.VOC_VAL, Compression.NONE));
        assertEquals(TestData.PENGUIN_RECORDS, countRecords(TestData.PENGUIN_GZ, Compression.GZIP));
    }

    @Test
    void ourPayloadsMatchTensorflowHadoopReaderOnTheSameFile() throws IOException {
        List<byte[]> ours = readAll(Files.newInputStream(TestData.file(TestData.SHAPES_VALIDATION)), Compression.NONE);
        TFRecordReader theirs = new TFRecordReader(Files.newInputStream(TestData.file(TestData.SHAPES_VALIDATION)), true);
        for (byte[] payload : ours) {
            assertArrayEquals(theirs.read(), payload);
        }
        assertNull(theirs.read());
    }

    @Test
    void whatWeWriteTensorflowHadoopReadsBack() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TFRecordFrameWriter writer = new TFRecordFrameWriter(bytes)) {
            for (byte[] p : PAYLOADS) {
                writer.write(p);
            }
        }
        TFRecordReader theirs = new TFRecordReader(new ByteArrayInputStream(bytes.toByteArray()), true);
        for (byte[] p : PAYLOADS) {
            assertArrayEquals(p, theirs.read());
        }
        assertNull(theirs.read());
    }

    @Test
    void whatTensorflowHadoopWritesWeReadBackIncludingGzip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(bytes))) {
            TFRecordWriter theirs = new TFRecordWriter(out);
            for (byte[] p : PAYLOADS) {
                theirs.write(p);
            }
        }
        List<byte[]> read = readAll(new ByteArrayInputStream(bytes.toByteArray()), Compression.GZIP);
        assertEquals(PAYLOADS.size(), read.size());
        for (int i = 0; i < read.size(); i++) {
            assertArrayEquals(PAYLOADS.get(i), read.get(i));
        }
    }

    @Test
    void flippedPayloadByteIsABadChecksumButLaterRecordsStayReadable() throws IOException {
        byte[] file = write(PAYLOADS);
        file[12 + 2] ^= 0x40; // inside the first payload
        TFRecordFrameReader reader = new TFRecordFrameReader(new ByteArrayInputStream(file), Compression.NONE, "f");
        TFRecordBadRecordException e = assertThrows(TFRecordBadRecordException.class, reader::next);
        assertEquals(0, e.recordIndex());
        assertTrue(e.restOfFileReadable());
        assertTrue(e.getMessage().startsWith("f: record 0: payload checksum mismatch"), e.getMessage());
        assertArrayEquals(PAYLOADS.get(1), reader.next());
        assertEquals(2, reader.nextIndex());
    }

    @Test
    void cutFileIsReportedAsTruncatedAtTheCutRecord() throws IOException {
        byte[] file = write(PAYLOADS);
        int cut = 12 + 5 + 4 + 12 + 4 + 12 + 100; // 100 bytes into record 2's payload
        TFRecordFrameReader reader = new TFRecordFrameReader(new ByteArrayInputStream(Arrays.copyOf(file, cut)),
                Compression.NONE, "f");
        reader.next();
        reader.next();
        TFRecordBadRecordException e = assertThrows(TFRecordBadRecordException.class, reader::next);
        assertEquals("f: record 2: file ends after 100 of 70000 payload bytes; expected a complete record "
                + "(the file is truncated)", e.getMessage());
        assertFalse(e.restOfFileReadable());
    }

    @Test
    void gzipReadAsPlainSaysSo() throws IOException {
        TFRecordFrameReader reader = new TFRecordFrameReader(Files.newInputStream(TestData.file(TestData.PENGUIN_GZ)),
                Compression.NONE, "p");
        TFRecordBadRecordException e = assertThrows(TFRecordBadRecordException.class, reader::next);
        assertTrue(e.getMessage().startsWith("p: record 0: file starts with the GZIP magic bytes 1f 8b"),
                e.getMessage());
    }

    @Test
    void plainReadAsGzipSaysSo() {
        TFRecordFrameReader reader = new TFRecordFrameReader(new ByteArrayInputStream(write(PAYLOADS)),
                Compression.GZIP, "x.gz");
        TFRecordBadRecordException e = assertThrows(TFRecordBadRecordException.class, reader::next);
        assertTrue(e.getMessage().startsWith("x.gz: record 0: not a GZIP file"), e.getMessage());
    }

    private static long countRecords(String name, Compression compression) throws IOException {
        return readAll(Files.newInputStream(TestData.file(name)), compression).size();
    }

    private static List<byte[]> readAll(InputStream in, Compression compression) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (TFRecordFrameReader reader = new TFRecordFrameReader(in, compression, "test")) {
            for (byte[] p = reader.next(); p != null; p = reader.next()) {
                out.add(p);
            }
        }
        return out;
    }

    private static byte[] write(List<byte[]> payloads) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TFRecordFrameWriter writer = new TFRecordFrameWriter(bytes)) {
            for (byte[] p : payloads) {
                writer.write(p);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }
}
