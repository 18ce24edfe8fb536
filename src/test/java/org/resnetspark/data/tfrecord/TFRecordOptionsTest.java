package org.resnetspark.data.tfrecord;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TFRecordOptionsTest {

    @Test
    void defaultsFailOnBadRecordsAndDecideCompressionByName() {
        TFRecordOptions o = TFRecordOptions.parse(Map.of("path", "/data/x"));
        assertEquals(BadRecordPolicy.FAIL, o.badRecordPolicy());
        assertNull(o.compression());
        assertEquals(Compression.GZIP, o.compressionOf("train-00000-of-01024.gz"));
        assertEquals(Compression.NONE, o.compressionOf("train-00000-of-01024"));
        assertEquals(TFRecordOptions.DEFAULT_SAMPLING_RECORDS, o.samplingRecords());
        assertEquals(List.of("/data/x"), o.paths());
    }

    @Test
    void modeAndOnBadRecordAreSynonymsAndKeysIgnoreCase() {
        assertEquals(BadRecordPolicy.SKIP, TFRecordOptions.parse(Map.of("MODE", "dropMalformed")).badRecordPolicy());
        assertEquals(BadRecordPolicy.SKIP, TFRecordOptions.parse(Map.of("on_bad_record", "skip")).badRecordPolicy());
        assertEquals(BadRecordPolicy.FAIL, TFRecordOptions.parse(Map.of("mode", "FAILFAST", "on_bad_record", "fail"))
                .badRecordPolicy());
        assertEquals(Compression.GZIP, TFRecordOptions.parse(Map.of("codec", "gzip")).compressionOf("plain-name"));
        assertEquals(Compression.NONE, TFRecordOptions.parse(Map.of("compression", "none")).compressionOf("x.gz"));
    }

    @Test
    void severalPathsComeAsAJsonArray() {
        assertEquals(List.of("/a", "/b/*"), TFRecordOptions.parse(Map.of("paths", "[\"/a\",\"/b/*\"]")).paths());
    }

    @Test
    void badValuesAndContradictionsAreRejectedByName() {
        assertEquals("tfrecord option mode=PERMISSIVE is not supported; expected FAILFAST or DROPMALFORMED "
                + "(PERMISSIVE has no meaning for binary records)", assertThrows(IllegalArgumentException.class,
                () -> TFRecordOptions.parse(Map.of("mode", "PERMISSIVE"))).getMessage());
        assertEquals("tfrecord option compression=zlib is not supported; expected one of: none, gzip",
                assertThrows(IllegalArgumentException.class,
                        () -> TFRecordOptions.parse(Map.of("compression", "zlib"))).getMessage());
        assertEquals("tfrecord options mode=DROPMALFORMED and on_bad_record=fail contradict each other; give one",
                assertThrows(IllegalArgumentException.class, () -> TFRecordOptions.parse(
                        Map.of("mode", "DROPMALFORMED", "on_bad_record", "fail"))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> TFRecordOptions.parse(Map.of("samplingRecords", "0")));
    }
}
