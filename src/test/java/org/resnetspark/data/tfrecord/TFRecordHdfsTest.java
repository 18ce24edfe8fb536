package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same TensorFlow-written files read from a real HDFS (MiniDFSCluster), and a write round trip on it. */
class TFRecordHdfsTest {

    private static MiniDFSCluster cluster;
    private static FileSystem hdfs;
    private static String root;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        File base = new File("target/minidfs-" + TFRecordHdfsTest.class.getSimpleName()).getAbsoluteFile();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.getPath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        cluster.waitActive();
        hdfs = cluster.getFileSystem();
        root = cluster.getURI() + "/data";
        for (String name : List.of(TestData.SHAPES_TRAIN, TestData.SHAPES_VALIDATION, TestData.VOC_VAL,
                TestData.PENGUIN_GZ)) {
            hdfs.copyFromLocalFile(new Path(TestData.file(name).toUri()), new Path(root + "/" + name));
        }
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stop() throws IOException {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void readsTheTensorflowFilesWithTheSameValuesAsFromLocalDisk() {
        Dataset<Row> train = spark.read().format("tfrecord").load(root + "/shapes-train-*");
        assertEquals(TestData.SHAPES_TRAIN_RECORDS, train.count());
        assertEquals(TestData.SHAPES_VALIDATION_RECORDS,
                spark.read().format("tfrecord").load(root + "/" + TestData.SHAPES_VALIDATION).count());
        assertEquals(TestData.VOC_RECORDS, spark.read().format("tfrecord").load(root + "/" + TestData.VOC_VAL).count());

        List<Row> fromHdfs = train.select("image/class/label", "image/encoded").limit(20).collectAsList();
        List<Row> fromDisk = spark.read().format("tfrecord").load(TestData.uri(TestData.SHAPES_TRAIN))
                .select("image/class/label", "image/encoded").limit(20).collectAsList();
        for (int i = 0; i < 20; i++) {
            assertEquals(fromDisk.get(i).getLong(0), fromHdfs.get(i).getLong(0));
            assertArrayEquals((byte[]) fromDisk.get(i).get(1), (byte[]) fromHdfs.get(i).get(1));
        }
    }

    @Test
    void readsGzipPenguinsFromHdfs() {
        Dataset<Row> df = spark.read().format("tfrecord").load(root + "/" + TestData.PENGUIN_GZ);
        assertEquals(TestData.PENGUIN_RECORDS, df.count());
        Row first = df.select("body_mass_g", "species").first();
        assertEquals(0.29166666f, first.getFloat(0));
        assertEquals(0L, first.getLong(1));
    }

    @Test
    void hdfsFilesCarryTheirDataNodeAsPreferredLocation() {
        TFRecordOptions options = TFRecordOptions.parse(Map.of("path", root));
        List<TFRecordFile> files = TFRecordPaths.list(options.paths(), options, hdfs.getConf());
        assertEquals(4, files.size());
        for (TFRecordFile f : files) {
            assertTrue(f.path().startsWith("hdfs://"), f.path());
            assertEquals(1, f.hosts().length, f.path());
        }
        assertEquals(Compression.GZIP, files.stream().filter(f -> f.path().endsWith(".gz")).findFirst()
                .orElseThrow().compression());
    }

    @Test
    void writeRoundTripOnHdfsIsAtomicAndGzipCapable() throws IOException {
        String out = cluster.getURI() + "/out/labels";
        StructType schema = new StructType().add("image/class/label", DataTypes.LongType)
                .add("image/height", DataTypes.LongType);
        Dataset<Row> labels = spark.read().format("tfrecord").schema(schema)
                .load(root + "/" + TestData.SHAPES_VALIDATION);
        labels.repartition(2).write().format("tfrecord").option("compression", "gzip").save(out);

        List<Row> back = spark.read().format("tfrecord").schema(schema).load(out).collectAsList();
        assertEquals(TestData.SHAPES_VALIDATION_RECORDS, back.size());
        long sumBack = back.stream().mapToLong(r -> r.getLong(0)).sum();
        long sumIn = labels.collectAsList().stream().mapToLong(r -> r.getLong(0)).sum();
        assertEquals(sumIn, sumBack);
        assertTrue(hdfs.exists(new Path(out, "_SUCCESS")));
        assertFalse(hdfs.listStatus(new Path(cluster.getURI() + "/out")).length > 1, "temp directory removed");
        assertTrue(List.of(hdfs.listStatus(new Path(out))).stream()
                .filter(s -> s.getPath().getName().startsWith("part-"))
                .allMatch(s -> s.getPath().getName().endsWith(".tfrecord.gz")));
    }
}
