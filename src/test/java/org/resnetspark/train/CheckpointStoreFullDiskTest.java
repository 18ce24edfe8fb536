package org.resnetspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full disk while checkpointing, for real: an HDFS space quota on the model directory of a MiniDFSCluster
 * runs out in the middle of the next checkpoint.
 */
class CheckpointStoreFullDiskTest {

    static MiniDFSCluster cluster;
    static DistributedFileSystem fs;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.setLong("dfs.blocksize", 1 << 20);
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs-full-disk").getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        fs = cluster.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Test
    void failedCheckpointLeavesLatestPointerAndReportsUntouched() throws Exception {
        Path modelDir = new Path("/models/full");
        ComputationGraph net = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5)
                .withImageSize(16)).seed(1).build();
        CheckpointStore store = new CheckpointStore(fs.makeQualified(modelDir), fs.getConf(), 3);
        store.save(net, 1, 10, 0.3);
        store.writeAtomically("metrics.json", "{\"epochs\":[1]}");
        String pointer = store.read("checkpoint.json").orElseThrow();

        long used = fs.getContentSummary(modelDir).getSpaceConsumed();
        fs.setQuota(modelDir, Long.MAX_VALUE - 1, used + (512 << 10)); // room for small files, not a checkpoint

        IOException e = assertThrows(IOException.class, () -> store.save(net, 2, 20, 0.5));
        assertTrue(e.getMessage().startsWith("could not write checkpoint "), e.getMessage());
        assertTrue(e.getMessage().contains("(the latest checkpoint is still checkpoints/epoch-0001.zip)"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());

        assertEquals(pointer, store.read("checkpoint.json").orElseThrow(), "pointer unchanged");
        assertEquals("{\"epochs\":[1]}", store.read("metrics.json").orElseThrow());
        FileStatus[] left = fs.listStatus(new Path(modelDir, "checkpoints"));
        assertTrue(Arrays.stream(left).noneMatch(s -> s.getPath().getName().startsWith("_tmp")),
                "no temporary files left: " + Arrays.toString(left));
        assertEquals(1, store.loadLatest().orElseThrow().epochsDone(), "the last good checkpoint still loads");

        fs.setQuota(modelDir, Long.MAX_VALUE - 1, Long.MAX_VALUE - 1);
        store.save(net, 2, 20, 0.5);
        assertEquals(2, store.loadLatest().orElseThrow().epochsDone(), "works again once space is back");
    }
}
