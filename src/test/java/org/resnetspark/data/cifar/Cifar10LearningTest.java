package org.resnetspark.data.cifar;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;
import org.resnetspark.testing.LocalSpark;
import org.resnetspark.train.CheckpointStore;
import org.resnetspark.train.DistributionSettings;
import org.resnetspark.train.LearningRateSchedule;
import org.resnetspark.train.TrainSettings;
import org.resnetspark.train.Trainer;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ResNet-8 learns from real CIFAR-10 through the whole pipeline (reader, shuffle, augmentation, batches, DL4J
 * parameter averaging, distributed evaluation): a short seeded run on the first real training images, scored
 * on held-out real test images.
 */
class Cifar10LearningTest {

    /** Training records taken from each of the 5 training files, and test records scored. */
    static final int TRAIN_PER_FILE = Integer.getInteger("cifar.learning.trainPerFile", 600);
    static final int TEST = Integer.getInteger("cifar.learning.test", 1000);
    static final int EPOCHS = Integer.getInteger("cifar.learning.epochs", 5);
    static final int BATCH = 64;

    static SparkSession spark;
    static JavaSparkContext sc;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
        sc = LocalSpark.context(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** --lr_schedule linear: TF's CIFAR peak rate (0.1 x 64/128), warm-up 0.3 epochs, decay to 0 at the end. */
    static LearningRateSchedule linearSchedule(long trainImages) {
        LearningRateSchedule official = LearningRateSchedule.cifar10(BATCH, trainImages);
        return LearningRateSchedule.linear(official.initialRate(), official.stepsPerEpoch(), EPOCHS / 10.0, EPOCHS);
    }

    @Test
    void resnet8ReachesWellAboveChanceOnHeldOutTestImages(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), TRAIN_PER_FILE, TEST);
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5);
        InputSettings in = new InputSettings(BATCH, 1, CNN2DFormat.NCHW, 10, 1, 0, BadRecordPolicy.FAIL, null);
        Cifar10TrainingInput input = Cifar10TrainingInput.open(sc, dir.toUri().toString(), in);
        DistributionSettings dist = new DistributionSettings(DistributionSettings.TrainingMasterKind.AVERAGING, 1, 1,
                BATCH, 8, 1e-3, true, 40123, 1);
        TrainSettings settings = new TrainSettings(spec, BATCH, EPOCHS, EPOCHS, 0, Double.NaN, 2e-4, 0.9,
                linearSchedule(input.trainImages()), dist, 1, 1, 0.9);
        CheckpointStore store = new CheckpointStore(new Path(tmp.resolve("model").toUri()), sc.hadoopConfiguration(),
                1);
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(sc, settings, input, store, Map.of("test", "learning")).run();
        System.out.printf("CIFAR-10 learning test: %d train images x %d epochs, top-1 %.4f on %d test images,"
                + " %.1f s%n", input.trainImages(), EPOCHS, r.lastTop1(), TEST, (System.nanoTime() - t0) / 1e9);
        assertEquals(EPOCHS, r.epochsDone());
        // Measured with this seed (oneDNN helpers on, batch_norm_decay 0.9 so the moving averages evaluation uses
        // settle within the run's 230 steps, linear schedule): top-1 0.406 after 5 epochs of 2,944 images (122 s at
        // load 4; 0.401 before the workers saw the global step, when every round trained at the warm-up's start
        // rate). Asserted: at least 3x the 10% chance level, with margin for CPU-dependent float rounding.
        assertTrue(r.lastTop1() >= 0.30, "top-1 " + r.lastTop1() + " should be >= 3x the 10% chance level");
        input.close();
    }
}
