package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.resnetspark.model.ResNetBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The epoch loop on Spark local[2] with synthetic data: checkpoints, resume, reports, divergence. */
class TrainerTest {

    static SparkSession spark;
    static JavaSparkContext sc;
    static final ResNetSpec SPEC = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
    static final int IMAGES = 64;
    static final int BATCH = 16;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
        sc = LocalSpark.context(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static TrainSettings settings(int epochs, LearningRateSchedule schedule) {
        DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING, 2, 1,
                BATCH / 2, 2, 1e-3, true, 40123, 1);
        return new TrainSettings(SPEC, BATCH, epochs, 1, 0, Double.NaN, 2e-4, 0.9, schedule, dist, 1, 2);
    }

    private static SyntheticInput input() {
        return new SyntheticInput(sc, BATCH / 2, 2, IMAGES, 16, 10, CNN2DFormat.NCHW, 3);
    }

    private static Trainer.Result train(File dir, int epochs) throws Exception {
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);
        return new Trainer(sc, settings(epochs, LearningRateSchedule.cifar10(BATCH, IMAGES)), input(), store,
                Map.of("test", true)).run();
    }

    @Test
    void resumesFromLatestCheckpointOnTheSameSchedule(@TempDir File dir) throws Exception {
        Trainer.Result first = train(dir, 1);
        assertEquals(1, first.epochsDone());
        assertEquals(4, first.globalStep());
        Trainer.Result resumed = train(dir, 3);
        assertEquals(3, resumed.epochsDone());
        assertEquals(12, resumed.globalStep(), "steps continue from the checkpoint");

        JsonNode metrics = new ObjectMapper().readTree(new File(dir, "metrics.json"));
        assertEquals(3, metrics.get("epochs").size(), "metrics of the first run kept, two epochs added");
        for (JsonNode e : metrics.get("epochs")) {
            assertTrue(e.get("eval").get("top1").asDouble() >= 0);
            assertTrue(e.get("eval").get("loss").asDouble() > 0, "evaluation cross-entropy");
            assertEquals(LearningRateSchedule.cifar10(BATCH, IMAGES).rate(e.get("global_step").asLong() - 4),
                    e.get("learning_rate").asDouble(), 1e-12);
            assertEquals(0, e.get("bad_records").asLong());
            double inputWait = e.get("input_wait_fraction").asDouble();
            assertTrue(e.get("input_seconds").asDouble() > 0 && inputWait > 0 && inputWait < 1,
                    "input time measured, part of the epoch: " + e);
        }
        JsonNode pointer = new ObjectMapper().readTree(new File(dir, "checkpoint.json"));
        assertEquals(3, pointer.get("epochs_done").asInt());
        assertEquals(2, pointer.get("all").size(), "keep_checkpoint_max 2");
        String[] files = new File(dir, "checkpoints").list((d, n) -> n.startsWith("epoch-") && n.endsWith(".zip"));
        assertEquals(2, files.length, String.join(",", files));
        assertTrue(new File(dir, "checkpoints/best.zip").isFile(), "the best checkpoint is kept too");
        assertTrue(pointer.get("best").get("top1").asDouble() >= 0);
        assertTrue(Files.readString(new File(dir, "report.html").toPath()).contains("</html>"));
    }

    @Test
    void checkpointsWrittenWithoutTheConvolutionCacheResumeWithIt(@TempDir File dir) throws Exception {
        train(dir, 1);
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);
        CheckpointStore.Checkpoint old = store.loadLatest().orElseThrow();
        old.network().getConfiguration().setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
        old.network().getConfiguration().getVertices().values().forEach(v -> {
            if (v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex layer) {
                layer.getLayerConf().setCacheMode(org.deeplearning4j.nn.conf.CacheMode.NONE);
            }
        });
        store.save(old.network(), old.epochsDone(), old.globalStep(), 0);
        ComputationGraph written = store.loadLatest().orElseThrow().network();
        assertEquals(org.deeplearning4j.nn.conf.CacheMode.NONE, written.getLayer("initial_conv").conf()
                .getCacheMode(), "an old checkpoint, as written");

        ComputationGraph resumed = train(dir, 2).network();
        assertEquals(ResNetBuilder.CACHE_MODE, resumed.getConfiguration().getCacheMode());
        // what DL4J's workers build their networks from
        ComputationGraph onWorker = new ComputationGraph(org.deeplearning4j.nn.conf.ComputationGraphConfiguration
                .fromJson(resumed.getConfiguration().toJson()));
        onWorker.init();
        assertEquals(ResNetBuilder.CACHE_MODE, onWorker.getLayer("initial_conv").conf().getCacheMode());
        for (org.deeplearning4j.nn.api.Layer l : resumed.getLayers()) {
            assertEquals(ResNetBuilder.CACHE_MODE, l.conf().getCacheMode(), l.conf().getLayer().getLayerName());
        }
    }

    /**
     * Gradient sharing trains an epoch in rounds bounded by the per-worker tensor budget: 1 MB holds one minibatch
     * of 64 images of 32 px per worker (786 KB), so each 2-step epoch is two fits, and both epochs train fully.
     */
    @Test
    void gradientSharingTrainsAnEpochInRoundsOfBoundedSize(@TempDir File dir) throws Exception {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5);
        int batch = 128;
        assertEquals(341, Trainer.sharingRoundMinibatches(spec, batch), "CIFAR-10 at batch 128 in 512 MB");
        assertEquals(27, Trainer.sharingRoundMinibatches(ResNetSpec.of(DatasetFamily.IMAGENET, 50,
                ResNetVersion.V1_5), 32), "ImageNet at 224 px, batch 32, in 512 MB");
        DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.SHARING, 2, 2,
                batch / 2, 1, 1e-3, true, 40127, 1);
        TrainSettings s = new TrainSettings(spec, batch, 2, 1, 0, Double.NaN, 2e-4, 0.9,
                LearningRateSchedule.cifar10(batch, 256), dist, 1, 2);
        List<String> jobs = new CopyOnWriteArrayList<>();
        SparkListener descriptions = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart job) {
                jobs.add(String.valueOf(job.properties().getProperty("spark.job.description")));
            }
        };
        sc.sc().addSparkListener(descriptions);
        System.setProperty(Trainer.SHARING_ROUND_MB_PROPERTY, "1");
        try {
            CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);
            Trainer.Result r = new Trainer(sc, s, new SyntheticInput(sc, batch / 2, 2, 256, 32, 10,
                    CNN2DFormat.NCHW, 3), store, Map.of()).run();
            assertEquals(2, r.epochsDone());
            assertEquals(4, r.globalStep());
        } finally {
            System.clearProperty(Trainer.SHARING_ROUND_MB_PROPERTY);
            sc.sc().removeSparkListener(descriptions);
        }
        for (String round : List.of("train epoch 1/2, round 1/2", "train epoch 1/2, round 2/2",
                "train epoch 2/2, round 2/2")) {
            assertTrue(jobs.contains(round), "no job '" + round + "' among " + jobs);
        }
        JsonNode epochs = new ObjectMapper().readTree(new File(dir, "metrics.json")).get("epochs");
        for (JsonNode e : epochs) {
            assertEquals(2 * batch, e.get("images").asLong());
            assertTrue(e.get("train_loss").asDouble() > 0, "a training loss from the workers: " + e);
        }
    }

    @Test
    void maxTrainStepsTrainsEveryWorkerTheSameNumberOfSteps(@TempDir File dir) throws Exception {
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);
        TrainSettings s = settings(2, LearningRateSchedule.cifar10(BATCH, IMAGES));
        TrainSettings limited = new TrainSettings(s.spec(), s.globalBatch(), s.trainEpochs(), s.epochsBetweenEvals(),
                6, s.stopThreshold(), s.weightDecay(), s.momentum(), s.schedule(), s.distribution(), s.seed(),
                s.keepCheckpoints());
        Trainer.Result r = new Trainer(sc, limited, input(), store, Map.of()).run();
        assertEquals(6, r.globalStep());
        assertEquals(2, r.epochsDone());
        JsonNode epochs = new ObjectMapper().readTree(new File(dir, "metrics.json")).get("epochs");
        assertEquals(2 * BATCH, epochs.get(1).get("images").asLong(), "2 steps of the second epoch");
        assertEquals(6, r.network().getConfiguration().getIterationCount(),
                "each worker's 2 minibatches in the last epoch counted once per global step");
    }

    @Test
    void divergenceStopsWithClearMessageAndKeepsLastGoodCheckpoint(@TempDir File dir) throws Exception {
        train(dir, 1);
        String pointerBefore = Files.readString(new File(dir, "checkpoint.json").toPath());
        LearningRateSchedule explosive = new LearningRateSchedule(1e30, IMAGES / (double) BATCH, 0,
                new double[0], new double[] {1});
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 2);
        DivergenceException e = assertThrows(DivergenceException.class,
                () -> new Trainer(sc, settings(3, explosive), input(), store, Map.of()).run());
        assertTrue(e.getMessage().contains("in epoch 2 (global steps 4..8)"), e.getMessage());
        assertEquals(pointerBefore, Files.readString(new File(dir, "checkpoint.json").toPath()));
    }
}
