package org.resnetspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.cifar.Cifar10TrainingInput;
import org.resnetspark.data.cifar.CifarTestData;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalCluster;

import java.io.File;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training across real executor JVMs ({@code local-cluster[2,1,1536]}): gradient sharing over Aeron between
 * processes, and the loss of an executor mid-run under both training masters.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributedTrainingTest {

    static final ResNetSpec SPEC = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withImageSize(16);
    static final int IMAGES = 128;
    static final int BATCH = 16;
    static final int WORKERS = 2;
    static SparkSession spark;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = LocalCluster.start(WORKERS, 1536);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            LocalCluster.stop(spark);
        }
    }

    private static TrainSettings settings(ResNetSpec spec, DistributionSettings.TrainingMasterKind master, int epochs,
                                         int port) {
        DistributionSettings dist = new DistributionSettings(master, WORKERS, 1, BATCH / WORKERS, 2, 1e-3, true,
                port, 1);
        return new TrainSettings(spec, BATCH, epochs, 1, 0, Double.NaN, 2e-4, 0.9,
                LearningRateSchedule.cifar10(BATCH, IMAGES), dist, 1, 3);
    }

    private static Trainer trainer(File dir, DistributionSettings.TrainingMasterKind master, int epochs, int port)
            throws Exception {
        TrainSettings s = settings(SPEC, master, epochs, port);
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 3);
        return new Trainer(sc, s, new SyntheticInput(sc, BATCH / WORKERS, WORKERS, IMAGES, 16, 10,
                CNN2DFormat.NCHW, 5), store, Map.of("test", "local-cluster"));
    }

    private static JsonNode epochs(File dir) throws Exception {
        return new ObjectMapper().readTree(new File(dir, "metrics.json")).get("epochs");
    }

    private static void assertEveryImageTrained(File dir, int epochs) throws Exception {
        JsonNode e = epochs(dir);
        assertEquals(epochs, e.size());
        for (JsonNode epoch : e) {
            assertEquals(IMAGES, epoch.get("images").asLong(),
                    "images counted on the executors in epoch " + epoch.get("epoch") + ": none dropped");
            assertTrue(epoch.get("train_loss").isNumber() && epoch.get("train_loss").asDouble() > 0,
                    "a training loss under both masters: " + epoch);
        }
    }

    /** Gradient sharing on real CIFAR-10 images (130 training records, 128 used per epoch; 40 test images). */
    @Test
    @Order(1)
    void gradientSharingAcrossExecutorJvmsOnRealCifar(@TempDir File dir) throws Exception {
        java.nio.file.Path data = CifarTestData.subset(dir.toPath().resolve("cifar"), 26, 40);
        InputSettings in = new InputSettings(BATCH / WORKERS, WORKERS, CNN2DFormat.NCHW, 10, 1, 0,
                BadRecordPolicy.FAIL, CifarTestData.cacheRoot().toURI().toString());
        Cifar10TrainingInput input = Cifar10TrainingInput.open(sc, data.toUri().toString(), in);
        assertEquals(IMAGES, input.trainImages());
        File model = new File(dir, "model");
        ResNetSpec cifar = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5);
        Trainer.Result r;
        try {
            r = new Trainer(sc, settings(cifar, DistributionSettings.TrainingMasterKind.SHARING, 2, 40231), input,
                    new CheckpointStore(new Path(model.toURI()), sc.hadoopConfiguration(), 3),
                    Map.of("test", "local-cluster, real CIFAR-10")).run();
        } finally {
            input.close();
        }
        assertEquals(2, r.epochsDone());
        assertEquals(2L * IMAGES / BATCH, r.globalStep());
        assertEveryImageTrained(model, 2);
        assertTrue(new File(model, "checkpoints/epoch-0002.zip").isFile());
        assertEquals(40, epochs(model).get(1).get("eval").get("examples").asLong(), "every test image evaluated");
    }

    /** Runs training in the background and kills one executor JVM once the first checkpoint is written. */
    private static CompletableFuture<Trainer.Result> trainAndKillAnExecutor(File dir,
            DistributionSettings.TrainingMasterKind master, int port) throws Exception {
        Trainer t = trainer(dir, master, 4, port);
        CompletableFuture<Trainer.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return t.run();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        long deadline = System.currentTimeMillis() + 240_000;
        while (!new File(dir, "checkpoint.json").isFile() && !run.isDone()) {
            assertTrue(System.currentTimeMillis() < deadline, "no checkpoint within 240 s");
            Thread.sleep(50);
        }
        assertTrue(LocalCluster.killOneExecutor(spark).isPresent(), "an executor JVM to kill");
        return run;
    }

    /**
     * A lost executor costs parameter averaging nothing: Spark reruns the lost round's tasks from the same
     * (seeded) minibatches and the same broadcast parameters, so the run ends where an undisturbed run ends.
     */
    @Test
    @Order(3)
    void parameterAveragingSurvivesALostExecutor(@TempDir File dir) throws Exception {
        File disturbed = new File(dir, "disturbed");
        Trainer.Result r = trainAndKillAnExecutor(disturbed, DistributionSettings.TrainingMasterKind.AVERAGING, 0)
                .get(6, TimeUnit.MINUTES);
        assertEquals(4, r.epochsDone(), "the job finishes");
        assertEquals(4L * IMAGES / BATCH, r.globalStep());
        assertEveryImageTrained(disturbed, 4);

        File undisturbed = new File(dir, "undisturbed");
        Trainer.Result base = trainer(undisturbed, DistributionSettings.TrainingMasterKind.AVERAGING, 4, 0).run();
        INDArray a = base.network().params();
        double diff = a.sub(r.network().params()).norm2Number().doubleValue() / a.norm2Number().doubleValue();
        double lossA = epochs(undisturbed).get(3).get("eval").get("loss").asDouble();
        double lossB = epochs(disturbed).get(3).get("eval").get("loss").asDouble();
        System.out.printf("executor lost: final parameters differ by %.3g (relative); eval loss %.5f vs %.5f"
                + " undisturbed%n", diff, lossB, lossA);
        assertTrue(diff < 1e-4, "final parameters differ from an undisturbed run by " + diff);
        assertEquals(lossA, lossB, 1e-3, "final eval loss of the disturbed run");
    }

    /**
     * DL4J's gradient sharing has no recovery for a worker lost mid-run (its Aeron mesh keeps the dead peer; a run
     * started after such a loss stalled here in its third epoch), so the run must fail fast: {@link ExecutorLossGuard}
     * cancels the training on the first lost executor, and the error names it and the checkpoint to resume from,
     * which is loadable and holds the last finished epoch. Runs before the averaging test kills its executor, since
     * gradient sharing in this JVM would not survive that loss either.
     */
    @Test
    @Order(2)
    void gradientSharingWithALostExecutorFailsFastWithAResumableCheckpoint(@TempDir File dir) throws Exception {
        CompletableFuture<Trainer.Result> run = trainAndKillAnExecutor(dir,
                DistributionSettings.TrainingMasterKind.SHARING, 40241);
        java.util.concurrent.ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> run.get(5, TimeUnit.MINUTES),
                "the run stops once an executor is lost");
        Throwable cause = failed;
        while (cause != null && !(cause instanceof ExecutorLossGuard.ExecutorLostException)) {
            cause = cause.getCause();
        }
        assertTrue(cause != null, "an ExecutorLostException: " + failed);
        System.out.println("gradient sharing after losing an executor: " + cause.getMessage());
        assertTrue(cause.getMessage().matches("(?s)gradient sharing lost executor \\d+ .*in epoch \\d+; .*rerun the"
                + " same command to resume"), cause.getMessage());
        CheckpointStore store = new CheckpointStore(new Path(dir.toURI()), sc.hadoopConfiguration(), 3);
        int done = store.loadLatest().orElseThrow().epochsDone();
        assertTrue(done >= 1 && done < 4, "a resumable checkpoint of a finished epoch: " + done);
        assertEquals(done, epochs(dir).size(), "metrics.json holds exactly the checkpointed epochs");
    }
}
