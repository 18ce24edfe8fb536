package org.resnetspark.cli;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.MemoryEstimate;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryCheckTest {

    static final ResNetSpec R50 = ResNetSpec.of(DatasetFamily.IMAGENET, 50, ResNetVersion.V1_5);
    static final ResNetSpec R152 = ResNetSpec.of(DatasetFamily.IMAGENET, 152, ResNetVersion.V1_5);
    static final long GIB = 1L << 30;

    @Test
    void estimateGrowsWithBatchAndDepthAndCountsParametersOnce() {
        MemoryEstimate r50b32 = MemoryEstimate.of(R50, 32);
        MemoryEstimate r50b64 = MemoryEstimate.of(R50, 64);
        assertEquals(2 * r50b32.activationBytes(), r50b64.activationBytes());
        assertEquals(r50b32.parameterBytes(), r50b64.parameterBytes());
        // 25.6M parameters (+ BN running statistics) x 4 copies x 4 bytes
        assertTrue(r50b32.parameterBytes() > 4 * 4 * 25_557_032L && r50b32.parameterBytes() < 4 * 4 * 26_000_000L);
        // activations of ResNet-50 at 224: tens of millions of elements per image
        assertTrue(r50b32.activationBytes() > 2 * GIB && r50b32.activationBytes() < 16 * GIB,
                r50b32.describe());
        assertTrue(MemoryEstimate.of(R152, 32).totalBytes() > r50b32.totalBytes());
    }

    @Test
    void clusterConfigurationWithDefaultOverheadIsRejectedNamingTheSetting() {
        SparkConf conf = new SparkConf(false).set("spark.executor.memory", "8g");
        UsageException e = assertThrows(UsageException.class,
                () -> MemoryCheck.require(R152, 256, 1, false, conf));
        assertTrue(e.getMessage().startsWith("ResNet-152 v1 (imagenet, 1000 classes, 224x224, NCHW, FLOAT) at 256"
                + " images per worker needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("spark.executor.memoryOverhead 0.8 GiB"), e.getMessage());
        assertTrue(e.getMessage().contains("lower --batch_size"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void enoughOverheadAndMaxBytesPass() {
        SparkConf conf = new SparkConf(false).set("spark.executor.memory", "8g")
                .set("spark.executor.memoryOverhead", "24g")
                .set("spark.executor.extraJavaOptions", "-Dfoo=1 -Dorg.bytedeco.javacpp.maxbytes=24g");
        assertDoesNotThrow(() -> MemoryCheck.require(R50, 32, 1, false, conf));
        assertEquals(24 * GIB, MemoryCheck.javacppMaxBytes("-Dorg.bytedeco.javacpp.maxbytes=24g", GIB));
        assertEquals(GIB, MemoryCheck.javacppMaxBytes("-Xss4m", GIB));
    }

    @Test
    void localModeCountsAllWorkersOfTheJvm() {
        UsageException e = assertThrows(UsageException.class,
                () -> MemoryCheck.require(R152, 128, 2, true, new SparkConf(false)));
        assertTrue(e.getMessage().contains("x 2 workers, but this JVM allows"), e.getMessage());
        assertDoesNotThrow(() -> MemoryCheck.require(ResNetSpec.of(DatasetFamily.CIFAR10, 20, ResNetVersion.V1_5),
                128, 2, true, new SparkConf(false)));
    }

    @Test
    void cachedMinibatchesAreComparedWithSparkStorageMemory() {
        SparkConf conf = new SparkConf(false).set("spark.executor.memory", "8g");
        // averaging: one round of 5 ResNet-50 minibatches of 32 at 224 (~96 MiB) fits
        assertNull(MemoryCheck.warnIfCacheExceedsHeap(R50, 32, 5, 1, false, conf));
        // gradient sharing caches the whole epoch: 1.28M ImageNet images over 16 workers (~48 GiB each)
        String w = MemoryCheck.warnIfCacheExceedsHeap(R50, 32, 1_281_167 / 16 / 32, 1, false, conf);
        assertTrue(w != null && w.contains("raise spark.executor.memory") && w.contains("4.6 GiB of Spark storage"),
                w);
        assertEquals(3L * 224 * 224 * 4 * 32 + 1000 * 4 * 32, MemoryEstimate.minibatchBytes(R50, 32, 1));
    }
}
