package org.resnetspark.data.cifar;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CIFAR-10 read from a real HDFS (MiniDFSCluster): a directory, and an archive extracted into an HDFS cache. */
class Cifar10HdfsTest {

    static MiniDFSCluster cluster;
    static FileSystem fs;
    static SparkSession spark;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-cifar").getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        fs = cluster.getFileSystem();
        spark = LocalSpark.start(2);
        sc = LocalSpark.context(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void readsADirectoryAndAnArchiveFromHdfs(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path local = CifarTestData.subset(tmp.resolve(Cifar10Files.BATCHES_DIR), 30, 20);
        Path dir = fs.makeQualified(new Path("/data/" + Cifar10Files.BATCHES_DIR));
        fs.copyFromLocalFile(new Path(local.toUri()), dir);
        Path archive = fs.makeQualified(new Path("/data/cifar-10-binary.tar.gz"));
        fs.copyFromLocalFile(new Path(TarGz.write(local, tmp.resolve("cifar-10-binary.tar.gz")).toUri()), archive);
        Path cache = fs.makeQualified(new Path("/cache"));

        assertTrue(Cifar10Files.looksLikeCifar10(dir.toString(), sc.hadoopConfiguration()));
        assertTrue(Cifar10Files.looksLikeCifar10(archive.toString(), sc.hadoopConfiguration()));
        InputSettings s = new InputSettings(15, 2, CNN2DFormat.NCHW, 10, 7, 0, BadRecordPolicy.FAIL,
                cache.toString());
        long[] expected = Cifar10TrainingInputTest.fileClassCounts(Cifar10TrainingInputTest.trainFiles(local));
        for (Path dataDir : new Path[] {dir, archive}) {
            Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dataDir.toString(), s);
            assertEquals(150, in.trainImages());
            assertEquals(20, in.evalImages());
            assertEquals("truck", in.classNames().get(9));
            assertArrayEquals(expected, Cifar10TrainingInputTest.classCounts(in.trainBatches(0)));
            in.close();
        }
        Cifar10TrainingInput fromArchive = Cifar10TrainingInput.open(sc, archive.toString(), s);
        assertEquals("hdfs", fromArchive.dir().toUri().getScheme(), "extracted into the HDFS cache");
        assertTrue(fromArchive.dir().toString().startsWith(cache.toString()), fromArchive.dir().toString());
        fromArchive.close();
    }
}
