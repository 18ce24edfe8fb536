package org.resnetspark.data.imagenet;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.image.DecodedImage;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.ImageFormat;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;
import org.resnetspark.data.imagenet.convert.ConvertSettings;
import org.resnetspark.data.imagenet.convert.ImageNetConverter;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** convert on the 200 real photos (plus CMYK and PNG quirks), read back through format("tfrecord"). */
class ImageNetConverterTest {

    @TempDir
    static Path tmp;
    static SparkSession spark;
    static RawImageNetFixture raw;
    static Path out;
    static ImageNetConverter.Result result;
    static Map<String, Row> byFile = new HashMap<>();

    @BeforeAll
    static void convert() throws IOException {
        spark = LocalSpark.start(2);
        raw = RawImageNetFixture.create(tmp);
        out = tmp.resolve("shards");
        result = ImageNetConverter.run(LocalSpark.context(spark), settings(out, 12345));
        for (Row r : read(ImageNetSchema.FULL, "*").collectAsList()) {
            byFile.put(r.getAs(ImageNetSchema.FILENAME), r);
        }
    }

    static ConvertSettings settings(Path output, long seed) {
        return new ConvertSettings(raw.root.toString(), output.toString(), raw.labelsFile.toString(), null, null,
                raw.bboxCsv.toString(), 4, 2, seed);
    }

    static Dataset<Row> read(StructType schema, String glob) {
        var reader = spark.read().format("tfrecord");
        return (schema == null ? reader : reader.schema(schema)).load(out.resolve(glob).toString());
    }

    @Test
    void writesTensorflowShardNamesWithEveryImageOnce() throws IOException {
        List<String> expected = List.of("train-00000-of-00004", "train-00001-of-00004", "train-00002-of-00004",
                "train-00003-of-00004", "validation-00000-of-00002", "validation-00001-of-00002");
        assertEquals(expected, result.shards());
        try (var files = Files.list(out)) {
            assertEquals(expected, files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .sorted().toList(), "only the shards");
        }
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".convert-")),
                    "temporary directory removed");
        }
        assertEquals(RawImageNetFixture.TRAIN, result.trainImages());
        assertEquals(RawImageNetFixture.VALIDATION, result.validationImages());
        assertEquals(RawImageNetFixture.TRAIN, read(null, "train-*").count());
        assertEquals(RawImageNetFixture.VALIDATION, read(null, "validation-*").count());
        // contiguous ranges of the shuffled order: 162 / 4 -> 40 or 41 per shard
        for (int s = 0; s < 4; s++) {
            long n = read(null, expected.get(s)).count();
            assertTrue(n == 40 || n == 41, expected.get(s) + ": " + n);
        }
        assertEquals(RawImageNetFixture.TRAIN + RawImageNetFixture.VALIDATION, byFile.size(), "file names unique");
    }

    @Test
    void labelsAreOneBasedSortedSynsetPositions() {
        List<RawImageNetFixture.Photo> photos = new ArrayList<>(raw.train);
        photos.addAll(raw.validation);
        for (RawImageNetFixture.Photo p : photos) {
            Row r = byFile.get(p.file());
            assertEquals(p.synset(), r.getAs(ImageNetSchema.SYNSET), p.file());
            assertEquals(raw.label(p.synset()), (long) r.getAs(ImageNetSchema.LABEL), p.file());
            assertEquals(p.synset(), r.getAs(ImageNetSchema.TEXT), "no metadata file: text = synset");
        }
        List<Long> labels = byFile.values().stream().map(r -> (Long) r.getAs(ImageNetSchema.LABEL)).toList();
        assertEquals(1L, labels.stream().mapToLong(Long::longValue).min().orElseThrow());
        assertEquals(RawImageNetFixture.SYNSETS, labels.stream().mapToLong(Long::longValue).max().orElseThrow());
        // the 200 photos come one per 5th class of the sorted 1000: label = class_index_0_999 / 5 + 1 here
        assertEquals(1L, (long) byFile.get("n01440764_tench.JPEG").getAs(ImageNetSchema.LABEL));
        assertEquals(2L, (long) byFile.get("n01496331_electric_ray.JPEG").getAs(ImageNetSchema.LABEL));
    }

    @Test
    void hasExactlyTheBuildImagenetDataKeysAndTypes() {
        StructType inferred = read(null, "*").schema();
        Map<String, String> types = Arrays.stream(inferred.fields())
                .collect(Collectors.toMap(StructField::name, f -> f.dataType().simpleString()));
        Map<String, String> expected = new HashMap<>();
        for (String k : List.of(ImageNetSchema.ENCODED, ImageNetSchema.SYNSET, ImageNetSchema.TEXT,
                ImageNetSchema.COLORSPACE, ImageNetSchema.FORMAT, ImageNetSchema.FILENAME)) {
            expected.put(k, "binary");
        }
        for (String k : List.of(ImageNetSchema.LABEL, ImageNetSchema.HEIGHT, ImageNetSchema.WIDTH,
                ImageNetSchema.CHANNELS)) {
            expected.put(k, "bigint");
        }
        for (String k : List.of(ImageNetSchema.XMIN, ImageNetSchema.YMIN, ImageNetSchema.XMAX, ImageNetSchema.YMAX)) {
            expected.put(k, "array<float>");
        }
        expected.put(ImageNetSchema.BBOX_LABEL, "array<bigint>");
        assertEquals(expected, types);
        for (Row r : byFile.values()) {
            assertEquals(3L, (long) r.getAs(ImageNetSchema.CHANNELS));
            assertEquals("RGB", r.getAs(ImageNetSchema.COLORSPACE));
            assertEquals("JPEG", r.getAs(ImageNetSchema.FORMAT));
            ImageHeader h = ImageHeaderReader.read(r.getAs(ImageNetSchema.ENCODED), "test");
            assertEquals(ImageFormat.JPEG, h.format(), (String) r.getAs(ImageNetSchema.FILENAME));
            assertEquals(h.width(), (long) r.getAs(ImageNetSchema.WIDTH));
            assertEquals(h.height(), (long) r.getAs(ImageNetSchema.HEIGHT));
        }
    }

    @Test
    void cmykAndPngAreReencodedAsDecodableRgbJpegAndOthersKeptByteForByte() throws IOException {
        assertEquals(2, result.reencoded());
        for (String name : List.of(RawImageNetFixture.CMYK_NAME, RawImageNetFixture.PNG_NAME)) {
            Row r = byFile.get(name);
            byte[] jpeg = r.getAs(ImageNetSchema.ENCODED);
            ImageHeader h = ImageHeaderReader.read(jpeg, name);
            assertEquals(ImageFormat.JPEG, h.format(), name);
            assertEquals(3, h.components(), name + ": a 3-component (YCbCr) JPEG");
            ImageHeaderReader.requireComplete(jpeg, name);
            DecodedImage pixels = new ImageDecoder().decode(jpeg, name);
            assertEquals(h.width(), pixels.width());
            assertEquals(raw.label(raw.quirkSynset), (long) r.getAs(ImageNetSchema.LABEL));
            byte[] original = Files.readAllBytes(raw.root.resolve("train").resolve(raw.quirkSynset).resolve(name));
            assertFalse(Arrays.equals(original, jpeg), name);
            // same picture: the re-encoded pixels match the decoder's reading of the original, up to JPEG loss
            DecodedImage reference = new ImageDecoder().decode(original, name);
            assertEquals(reference.width(), pixels.width());
            assertEquals(reference.height(), pixels.height());
            double diff = 0;
            for (int i = 0; i < reference.bgr().length; i++) {
                diff += Math.abs((reference.bgr()[i] & 0xFF) - (pixels.bgr()[i] & 0xFF));
            }
            assertTrue(diff / reference.bgr().length < 3, name + ": mean abs difference " + diff
                    / reference.bgr().length);
        }
        RawImageNetFixture.Photo photo = raw.train.get(5);
        byte[] original = Files.readAllBytes(raw.root.resolve("train").resolve(photo.synset()).resolve(photo.file()));
        assertArrayEquals(original, (byte[]) byFile.get(photo.file()).getAs(ImageNetSchema.ENCODED));
    }

    @Test
    void boxesFromTheCsvAreClippedAndLabelled() {
        Row r = byFile.get(raw.boxedFile);
        long label = r.getAs(ImageNetSchema.LABEL);
        assertEquals(List.of(0.1f, 0f), r.getList(r.fieldIndex(ImageNetSchema.XMIN)));
        assertEquals(List.of(0.2f, 0.5f), r.getList(r.fieldIndex(ImageNetSchema.YMIN)));
        assertEquals(List.of(0.6f, 1f), r.getList(r.fieldIndex(ImageNetSchema.XMAX)));
        assertEquals(List.of(0.7f, 0.9f), r.getList(r.fieldIndex(ImageNetSchema.YMAX)));
        assertEquals(List.of(label, label), r.getList(r.fieldIndex(ImageNetSchema.BBOX_LABEL)));
        Row plain = byFile.get(raw.train.get(5).file());
        assertTrue(plain.getList(plain.fieldIndex(ImageNetSchema.XMIN)).isEmpty());
        assertTrue(plain.getList(plain.fieldIndex(ImageNetSchema.BBOX_LABEL)).isEmpty());
    }

    @Test
    void sameSeedSameFilesOtherSeedOtherOrderAndExistingShardsAreRefused() throws IOException {
        JavaSparkContext sc = LocalSpark.context(spark);
        Path again = tmp.resolve("again");
        ImageNetConverter.run(sc, settings(again, 12345));
        for (String name : result.shards()) {
            assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(again.resolve(name)), name);
        }
        Path other = tmp.resolve("other");
        ImageNetConverter.run(sc, settings(other, 7));
        assertFalse(Arrays.equals(Files.readAllBytes(out.resolve("train-00000-of-00004")),
                Files.readAllBytes(other.resolve("train-00000-of-00004"))), "another seed, another order");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageNetConverter.run(sc, settings(out, 12345)));
        assertTrue(e.getMessage().contains("already holds 4 train-* and 2 validation-* files"), e.getMessage());
    }

    @Test
    void corruptInputImageFailsNamingTheFile() throws IOException {
        Path dir = tmp.resolve("corrupt");
        RawImageNetFixture bad = RawImageNetFixture.create(dir);
        Path truncated = bad.root.resolve("train").resolve(bad.quirkSynset).resolve("truncated.JPEG");
        Files.copy(RawImageNetFixture.shared().resolve("jpeg/quirks/truncated-half.JPEG"), truncated);
        var e = assertThrows(org.resnetspark.data.InvalidDataException.class, () -> ImageNetConverter.run(
                LocalSpark.context(spark), new ConvertSettings(bad.root.toString(), dir.resolve("out").toString(),
                        bad.labelsFile.toString(), null, null, null, 2, 1, 1)));
        assertTrue(e.getMessage().contains("truncated.JPEG"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
        File[] left = dir.resolve("out").toFile().listFiles();
        assertTrue(left == null || Arrays.stream(left).allMatch(f -> f.getName().startsWith(".")),
                "no partial shards: " + Arrays.toString(left));
    }
}
