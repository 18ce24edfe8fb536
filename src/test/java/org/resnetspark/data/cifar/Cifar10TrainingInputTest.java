package org.resnetspark.data.cifar;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.testing.LocalSpark;
import org.resnetspark.train.EpochRounds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cifar10TrainingInput on local Spark (2 threads): the real archive, and small real subsets in a temp dir. */
class Cifar10TrainingInputTest {

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

    static InputSettings settings(int batch, int workers, CNN2DFormat format, double smoothing,
                                  BadRecordPolicy policy) {
        return new InputSettings(batch, workers, format, 10, 42, smoothing, policy,
                CifarTestData.cacheRoot().toURI().toString());
    }

    /** Per-class example counts over an RDD of minibatches (label columns summed, so smoothing must be 0). */
    static long[] classCounts(JavaRDD<DataSet> batches) {
        double[] sums = batches.map(d -> d.getLabels().sum(0).toDoubleVector())
                .reduce((a, b) -> {
                    double[] s = a.clone();
                    for (int i = 0; i < s.length; i++) {
                        s[i] += b[i];
                    }
                    return s;
                });
        return Arrays.stream(sums).mapToLong(Math::round).toArray();
    }

    /** Label counts of the valid records (label 0..9) in .bin files. */
    static long[] fileClassCounts(java.nio.file.Path... files) throws IOException {
        long[] counts = new long[10];
        for (java.nio.file.Path f : files) {
            byte[] all = Files.readAllBytes(f);
            for (int i = 0; i < all.length; i += Cifar10Files.RECORD_BYTES) {
                int label = all[i] & 0xff;
                if (label < 10) {
                    counts[label]++;
                }
            }
        }
        return counts;
    }

    static java.nio.file.Path[] trainFiles(java.nio.file.Path dir) {
        return Cifar10Files.TRAIN_FILES.stream().map(dir::resolve).toArray(java.nio.file.Path[]::new);
    }

    @Test
    void realArchiveHas5000TrainAnd1000TestImagesPerClass() throws Exception {
        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, CifarTestData.archive().toURI().toString(),
                settings(125, 2, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL));
        try {
            assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                    "truck"), in.classNames());
            assertEquals(50_000, in.trainImages(), "125 x 2 divides 50,000: nothing sits out");
            assertEquals(10_000, in.evalImages());
            assertEquals(0, in.badRecords());
            long[] perClass = new long[10];
            Arrays.fill(perClass, 5000);
            assertArrayEquals(perClass, classCounts(in.trainBatches(0)));
            Arrays.fill(perClass, 1000);
            assertArrayEquals(perClass, classCounts(in.evalBatches()));
        } finally {
            in.close();
        }
    }

    @Test
    void equalBatchesPerWorkerForTrainingAndEveryImageForEvaluation(@TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 60, 50);
        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(16, 2, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL));
        assertEquals(300, in.trainRecords());
        assertEquals(9, in.stepsPerEpoch(), "floor(300 / (2 x 16))");
        assertEquals(288, in.trainImages());
        List<List<Integer>> train = in.trainBatches(0).map(DataSet::numExamples).glom().collect();
        assertEquals(List.of(List.of(16, 16, 16, 16, 16, 16, 16, 16, 16), List.of(16, 16, 16, 16, 16, 16, 16, 16, 16)),
                train);
        List<List<Integer>> eval = in.evalBatches().map(DataSet::numExamples).glom().collect();
        assertEquals(List.of(List.of(16, 9), List.of(16, 9)), eval, "50 test images: 25 per worker, remainder kept");
        assertArrayEquals(fileClassCounts(dir.resolve(Cifar10Files.TEST_FILE)), classCounts(in.evalBatches()));
        in.close();
    }

    @Test
    void roundsSplitEachWorkersShareWithoutLosingOrDuplicatingARecord(@TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 60, 50);
        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(16, 2, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL));
        // 9 batches per worker in rounds of 4: 4, 4, 1; partition = round * workers + worker
        JavaRDD<DataSet> epoch = in.trainBatches(0, 4);
        assertEquals(3, EpochRounds.rounds(epoch, 2));
        assertEquals(List.of(List.of(16, 16, 16, 16), List.of(16, 16, 16, 16), List.of(16, 16, 16, 16),
                List.of(16, 16, 16, 16), List.of(16), List.of(16)), epoch.map(DataSet::numExamples).glom().collect());
        long[] total = new long[10];
        for (int r = 0; r < 3; r++) {
            JavaRDD<DataSet> round = EpochRounds.round(epoch, r, 2);
            assertEquals(2, round.getNumPartitions(), "one partition per worker in every round");
            long[] counts = classCounts(round);
            for (int c = 0; c < 10; c++) {
                total[c] += counts[c];
            }
        }
        assertArrayEquals(classCounts(in.trainBatches(0)), total, "the rounds hold the epoch's records");
        assertThrows(IllegalArgumentException.class, () -> EpochRounds.round(epoch, 3, 2));
        in.close();
    }

    @Test
    void sameSeedAndEpochSameBatchesOtherEpochOtherBatchesEveryRecordOnce(@TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 40, 20);
        InputSettings s = settings(10, 2, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL);
        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dir.toUri().toString(), s);
        assertEquals(200, in.trainImages(), "10 x 2 divides 200: every record once per epoch");
        List<float[]> a = features(in.trainBatches(1));
        List<float[]> again = features(in.trainBatches(1));
        Cifar10TrainingInput reopened = Cifar10TrainingInput.open(sc, dir.toUri().toString(), s);
        List<float[]> b = features(reopened.trainBatches(1));
        List<float[]> other = features(in.trainBatches(2));
        assertEquals(20, a.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), again.get(i), "batch " + i);
            assertArrayEquals(a.get(i), b.get(i), "batch " + i + " after reopening");
        }
        assertFalse(Arrays.equals(a.get(0), other.get(0)), "epoch 2 has another order and augmentation");
        long[] expected = fileClassCounts(trainFiles(dir));
        assertArrayEquals(expected, classCounts(in.trainBatches(1)));
        assertArrayEquals(expected, classCounts(in.trainBatches(2)));
        in.close();
        reopened.close();
    }

    private static List<float[]> features(JavaRDD<DataSet> batches) {
        return batches.map(d -> d.getFeatures().dup().data().asFloat()).collect();
    }

    @Test
    void layoutsAgreeAndTrainingLabelsAreSmoothed(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 20, 12);
        Cifar10TrainingInput nchw = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(4, 1, CNN2DFormat.NCHW, 0.1, BadRecordPolicy.FAIL));
        Cifar10TrainingInput nhwc = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(4, 1, CNN2DFormat.NHWC, 0.1, BadRecordPolicy.FAIL));
        DataSet first = nchw.trainBatches(0).first();
        DataSet firstNhwc = nhwc.trainBatches(0).first();
        assertArrayEquals(new long[] {4, 3, 32, 32}, first.getFeatures().shape());
        assertArrayEquals(new long[] {4, 32, 32, 3}, firstNhwc.getFeatures().shape());
        assertEquals(first.getFeatures(), firstNhwc.getFeatures().permute(0, 3, 1, 2), "same augmentation");
        assertEquals(0.91f, first.getLabels().maxNumber().floatValue(), 1e-6f);
        assertEquals(0.01f, first.getLabels().minNumber().floatValue(), 1e-6f);
        DataSet eval = nchw.evalBatches().first();
        assertEquals(1f, eval.getLabels().maxNumber().floatValue(), "evaluation labels are not smoothed");
        assertEquals(eval.getFeatures(), nhwc.evalBatches().first().getFeatures().permute(0, 3, 1, 2));
        nchw.close();
        nhwc.close();
    }

    @Test
    void truncatedFileFailsNamingItOrIsSkippedAndCounted(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 20, 10);
        Files.write(dir.resolve("data_batch_2.bin"), new byte[100], StandardOpenOption.APPEND);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> Cifar10TrainingInput.open(sc,
                dir.toUri().toString(), settings(10, 1, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL)));
        assertTrue(e.getMessage().contains("data_batch_2.bin: size 61560 is not a multiple of the 3073-byte"),
                e.getMessage());
        assertTrue(e.getMessage().contains("record 20 is truncated"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(10, 1, CNN2DFormat.NCHW, 0, BadRecordPolicy.SKIP));
        assertEquals(1, in.badRecords());
        assertEquals(100, in.trainRecords(), "the 20 whole records of each file are kept");
        in.close();
    }

    @Test
    void labelAboveNineFailsNamingFileAndRecordOrIsSkippedAndCounted(@TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path dir = CifarTestData.subset(tmp.resolve("cifar"), 20, 10);
        java.nio.file.Path f = dir.resolve("data_batch_3.bin");
        byte[] bytes = Files.readAllBytes(f);
        bytes[17 * Cifar10Files.RECORD_BYTES] = (byte) 200;
        Files.write(f, bytes);
        InvalidDataException e = assertThrows(InvalidDataException.class, () -> Cifar10TrainingInput.open(sc,
                dir.toUri().toString(), settings(10, 1, CNN2DFormat.NCHW, 0, BadRecordPolicy.FAIL)));
        assertTrue(e.getMessage().endsWith("data_batch_3.bin record 17: label 200, expected 0..9"), e.getMessage());

        Cifar10TrainingInput in = Cifar10TrainingInput.open(sc, dir.toUri().toString(),
                settings(11, 1, CNN2DFormat.NCHW, 0, BadRecordPolicy.SKIP));
        assertEquals(1, in.badRecords());
        assertEquals(99, in.trainRecords());
        assertEquals(99, in.trainImages(), "9 batches of 11: the 99 valid records exactly");
        long[] expected = fileClassCounts(trainFiles(dir));
        assertEquals(99, Arrays.stream(expected).sum());
        assertArrayEquals(expected, classCounts(in.trainBatches(0)));
        in.close();
    }
}
