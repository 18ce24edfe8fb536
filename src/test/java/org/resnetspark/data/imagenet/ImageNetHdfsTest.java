package org.resnetspark.data.imagenet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.cli.Main;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.imagenet.convert.ConvertSettings;
import org.resnetspark.data.imagenet.convert.ImageNetConverter;
import org.resnetspark.testing.LocalSpark;
import picocli.CommandLine;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convert onto a real HDFS (MiniDFSCluster), read the shards from it, and train with --model_dir on it. */
class ImageNetHdfsTest {

    static MiniDFSCluster cluster;
    static FileSystem hdfs;
    static SparkSession spark;

    @BeforeAll
    static void start() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-imagenet").getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).format(true).build();
        cluster.waitActive();
        hdfs = cluster.getFileSystem();
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void convertReadAndTrainOnHdfs(@TempDir java.nio.file.Path tmp) throws Exception {
        RawImageNetFixture raw = RawImageNetFixture.create(tmp);
        String shards = cluster.getURI() + "/imagenet/shards";
        ImageNetConverter.Result r = ImageNetConverter.run(LocalSpark.context(spark), new ConvertSettings(
                raw.root.toString(), shards, raw.labelsFile.toString(), null, null, null, 4, 2, 12345));
        assertEquals(6, r.shards().size());
        ImageNetShards listed = ImageNetShards.list(shards, hdfs.getConf());
        assertEquals(List.of("train-00000-of-00004", "train-00001-of-00004", "train-00002-of-00004",
                "train-00003-of-00004"), listed.train().stream().map(Path::getName).toList());
        assertEquals("hdfs", listed.dir().toUri().getScheme());

        ImageNetTrainingInput input = ImageNetTrainingInput.open(spark, shards,
                new InputSettings(8, 2, CNN2DFormat.NCHW, 1000, 42, 0, BadRecordPolicy.FAIL, null), 64);
        try {
            assertEquals(RawImageNetFixture.TRAIN, input.trainRecords());
            assertEquals(RawImageNetFixture.VALIDATION, input.evalImages());
            assertEquals(10, input.stepsPerEpoch());
        } finally {
            input.close();
        }

        String model = cluster.getURI() + "/runs/imagenet-64";
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("train", "--data_dir", shards, "--model_dir", model, "--image_size", "64",
                "--resnet_size", "18", "--batch_size", "16", "--train_epochs", "1", "--max_train_steps", "1",
                "--on_bad_record", "fail");
        assertEquals(0, code, err.toString());
        assertTrue(hdfs.exists(new Path(model + "/checkpoints/epoch-0001.zip")), "checkpoint on HDFS");
        JsonNode metrics;
        try (InputStream in = hdfs.open(new Path(model + "/metrics.json"))) {
            metrics = new ObjectMapper().readTree(in);
        }
        JsonNode epoch = metrics.get("epochs").get(0);
        assertEquals(0, epoch.get("bad_records").asLong());
        assertEquals(40, epoch.get("eval").get("examples").asLong());
        assertTrue(epoch.get("eval").has("top1"));
    }
}
