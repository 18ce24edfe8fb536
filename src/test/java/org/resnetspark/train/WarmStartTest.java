package org.resnetspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.io.File;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Warm start and fine-tuning without Spark: what is copied, what is rejected, what stays frozen. */
class WarmStartTest {

    static final ResNetSpec PRETRAINED = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
    static final ResNetSpec RUN = PRETRAINED.withNumClasses(5);

    /** Under java.io.tmpdir (target/tmp in the build), kept for the JVM's life: WarmStartTrainingTest reuses it. */
    static File tmp;
    static ComputationGraph pretrained;
    static String modelDir;

    @BeforeAll
    static synchronized void writePretrainedCheckpoint() throws Exception {
        if (pretrained != null) {
            return;
        }
        tmp = java.nio.file.Files.createTempDirectory("warm-start").toFile();
        pretrained = ResNetBuilder.of(PRETRAINED).seed(7).build();
        // every parameter distinct from any fresh initialization, BN running mean/var included
        Nd4j.getRandom().setSeed(11);
        pretrained.params().assign(Nd4j.rand(DataType.FLOAT, pretrained.params().shape()).addi(0.5));
        modelDir = new File(tmp, "pretrained").getAbsolutePath();
        new CheckpointStore(new Path(modelDir), new Configuration(), 2).save(pretrained, 3, 12, 0.5);
    }

    static TrainSettings settings(ResNetSpec spec, long seed) {
        DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING, 1, 1,
                8, 1, 1e-3, true, 40123, seed);
        return new TrainSettings(spec, 8, 1, 1, 0, Double.NaN, 2e-4, 0.9, LearningRateSchedule.cifar10(8, 64), dist,
                seed, 2);
    }

    static Map<String, float[]> paramsByLayer(ComputationGraph net) {
        Map<String, float[]> m = new HashMap<>();
        for (Layer l : net.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            l.paramTable().forEach((k, v) -> m.put(name + "." + k,
                    v.castTo(DataType.FLOAT).dup('c').reshape(v.length()).toFloatVector()));
        }
        return m;
    }

    @Test
    void copiesEveryLayerButFinalDenseWhichIsFreshAndSeeded() throws Exception {
        for (String source : new String[] {modelDir, modelDir + "/checkpoints/epoch-0003.zip"}) {
            ComputationGraph net = WarmStart.of(source, false, new Configuration()).initialNetwork(settings(RUN, 3));
            Map<String, float[]> got = paramsByLayer(net);
            Map<String, float[]> want = paramsByLayer(pretrained);
            int compared = 0;
            for (Map.Entry<String, float[]> e : got.entrySet()) {
                if (!e.getKey().startsWith(ResNetBuilder.FINAL_DENSE + ".")) {
                    assertArrayEquals(want.get(e.getKey()), e.getValue(), e.getKey() + " from " + source);
                    compared++;
                }
            }
            assertTrue(got.containsKey("initial_conv_bn.mean")
                    && (got.containsKey("initial_conv_bn.var") || got.containsKey("initial_conv_bn.log10stdev")),
                    "batch-norm running statistics are parameters and were compared");
            assertEquals(want.size() - 2, compared, "every parameter but final_dense W and b");
            INDArray w = net.getLayer(ResNetBuilder.FINAL_DENSE).getParam("W");
            assertArrayEquals(new long[] {64, 5}, w.shape(), "final_dense rebuilt for this run's 5 classes");
            ComputationGraph fresh = ResNetBuilder.of(RUN).seed(3).build();
            assertArrayEquals(paramsByLayer(fresh).get("final_dense.W"), got.get("final_dense.W"),
                    "final_dense initialized as a fresh network with the run's seed");
            assertFalse(WarmStart.isFrozen(net));
        }
    }

    @Test
    void otherArchitectureFailsWithOneLineNamingBoth() {
        record Case(ResNetSpec run, String ours) { }
        Case[] cases = {
            new Case(ResNetSpec.of(DatasetFamily.CIFAR10, 14, ResNetVersion.V1_5), "ResNet-14 v1 (cifar10, channels_first)"),
            new Case(ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V2), "ResNet-8 v2 (cifar10, channels_first)"),
            new Case(PRETRAINED.withFormat(CNN2DFormat.NHWC), "ResNet-8 v1 (cifar10, channels_last)"),
            new Case(ResNetSpec.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V1_5).withImageSize(32),
                    "ResNet-18 v1 (imagenet, channels_first)"),
        };
        for (Case c : cases) {
            WarmStart.UnusableCheckpointException e = assertThrows(WarmStart.UnusableCheckpointException.class,
                    () -> WarmStart.of(modelDir, false, new Configuration()).initialNetwork(settings(c.run(), 1)));
            String m = e.getMessage();
            assertTrue(m.contains("holds a ResNet-8 v1 (cifar10, channels_first), but this run trains a " + c.ours()),
                    m);
            assertTrue(m.startsWith("--pretrained_model_checkpoint_path " + modelDir), m);
            assertFalse(m.contains("\n"), m);
        }
    }

    @Test
    void unusableSourcesFailWithOneLine(@TempDir File empty) {
        String m = assertThrows(WarmStart.UnusableCheckpointException.class, () -> WarmStart
                .of(empty + "/nope", false, new Configuration()).initialNetwork(settings(RUN, 1))).getMessage();
        assertTrue(m.endsWith("/nope does not exist"), m);
        m = assertThrows(WarmStart.UnusableCheckpointException.class, () -> WarmStart
                .of(empty.getPath(), false, new Configuration()).initialNetwork(settings(RUN, 1))).getMessage();
        assertTrue(m.contains("is a directory without a checkpoint"), m);
        m = assertThrows(WarmStart.UnusableCheckpointException.class, () -> WarmStart.of(null, true,
                new Configuration()).initialNetwork(settings(RUN, 1))).getMessage();
        assertTrue(m.startsWith("--fine_tune needs --pretrained_model_checkpoint_path"), m);
    }

    @Test
    void fineTuneKeepsTrunkBitIdenticalAndTrainsTheHead() throws Exception {
        ComputationGraph tuned = WarmStart.of(modelDir, true, new Configuration()).initialNetwork(settings(RUN, 3));
        ComputationGraph control = WarmStart.of(modelDir, false, new Configuration()).initialNetwork(settings(RUN, 3));
        assertTrue(WarmStart.isFrozen(tuned));
        Map<String, float[]> before = paramsByLayer(tuned);
        Nd4j.getRandom().setSeed(5);
        for (int step = 0; step < 3; step++) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 8, 3, 16, 16).muli(4).subi(2);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 5);
            for (int i = 0; i < 8; i++) {
                y.putScalar(i, (i + step) % 5, 1);
            }
            tuned.fit(new DataSet(x, y));
            control.fit(new DataSet(x, y));
        }
        Map<String, float[]> after = paramsByLayer(tuned);
        Map<String, float[]> controlAfter = paramsByLayer(control);
        int frozen = 0;
        int controlChanged = 0;
        for (String k : before.keySet()) {
            if (k.startsWith(ResNetBuilder.FINAL_DENSE + ".")) {
                assertFalse(Arrays.equals(before.get(k), after.get(k)), k + " trains");
            } else {
                assertArrayEquals(before.get(k), after.get(k), k + " frozen, bit for bit");
                frozen++;
                controlChanged += Arrays.equals(before.get(k), controlAfter.get(k)) ? 0 : 1;
            }
        }
        assertEquals(before.size() - 2, frozen);
        assertEquals(frozen, controlChanged, "without --fine_tune the same steps change every trunk parameter"
                + " (running statistics included), so the test would see a leak");
    }
}
