package org.resnetspark.data.cifar;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.Batcher;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.data.ContiguousPartitioner;
import org.resnetspark.data.EpochShuffle;
import org.resnetspark.data.HadoopConfHolder;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.LazyIterators;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.LabeledExample;
import org.resnetspark.data.Seeds;
import org.resnetspark.train.TrainingInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.resnetspark.data.cifar.Cifar10Files.RECORD_BYTES;

/**
 * CIFAR-10 for the training loop.
 *
 * <p>The raw 3073-byte records are read once and cached serialized ({@code MEMORY_ONLY_SER}, ~150 MB for the
 * training set); float tensors exist only inside a partition while its batches are built. Every epoch:
 * <ul>
 *   <li>the training records are put in a fresh order that depends only on (seed, epoch)
 *       ({@link EpochShuffle});</li>
 *   <li>the first {@code steps x workers x batchPerWorker} records of that order are used, with
 *       {@code steps = floor(records / (workers x batchPerWorker))}, split into {@code workers} partitions of
 *       exactly {@code steps} batches each (DL4J's training masters need equal batches on every worker); the
 *       remaining {@code < workers x batchPerWorker} records sit out this epoch only, a different random set
 *       every epoch. So each used record is seen exactly once per epoch, and {@link #trainImages()} reports
 *       the images actually trained per epoch;</li>
 *   <li>each partition augments with its own stream {@link Seeds#forPartition}(seed, epoch, partition).</li>
 * </ul>
 * Evaluation uses all test records (in file order, split into {@code workers} partitions whose sizes differ
 * by at most one), the last batch of a partition may be smaller.
 *
 * <p>Corrupt data: a file whose size is not a multiple of 3073 or a record with a label above 9 fails the job
 * with {@link InvalidDataException} ({@link BadRecordPolicy#FAIL}) or is skipped and counted in
 * {@link #badRecords()} ({@code SKIP}; a partial trailing record counts as one bad record). Both are checked
 * when the input is opened, before any training.
 */
public final class Cifar10TrainingInput implements TrainingInput {

    private static final Logger LOG = LoggerFactory.getLogger(Cifar10TrainingInput.class);
    /** Records per read task: 2500 x 3073 B = 7.7 MB, 4 tasks per training file. */
    private static final int RECORDS_PER_SPLIT = 2500;

    private final InputSettings settings;
    private final List<String> classNames;
    /** (dense record index, raw record), cached serialized. */
    private final JavaPairRDD<Integer, byte[]> trainRecords;
    /** (record index, raw record) split into {@code workers} contiguous partitions, cached serialized. */
    private final JavaPairRDD<Integer, byte[]> evalRecords;
    private final int trainCount;
    private final int evalCount;
    private final long badRecords;
    private final Path dir;

    private Cifar10TrainingInput(InputSettings settings, List<String> classNames, JavaPairRDD<Integer, byte[]> train,
                                 int trainCount, JavaPairRDD<Integer, byte[]> eval, int evalCount, long badRecords,
                                 Path dir) {
        this.settings = settings;
        this.classNames = classNames;
        this.trainRecords = train;
        this.trainCount = trainCount;
        this.evalRecords = eval;
        this.evalCount = evalCount;
        this.badRecords = badRecords;
        this.dir = dir;
    }

    /**
     * Reads, validates and caches CIFAR-10 from {@code dataDir} (a {@code cifar-10-batches-bin/} directory,
     * its parent, or the {@code .tar.gz}, on any Hadoop filesystem).
     *
     * @throws InvalidDataException     corrupt data under the FAIL policy, or missing files
     * @throws IllegalArgumentException when the settings ask for other than 10 classes, or fewer training
     *                                  images than one global batch remain
     */
    public static Cifar10TrainingInput open(JavaSparkContext sc, String dataDir, InputSettings s) throws IOException {
        if (s.numClasses() != Cifar10Files.NUM_CLASSES) {
            throw new IllegalArgumentException("CIFAR-10 has 10 classes; the network has " + s.numClasses());
        }
        Configuration conf = sc.hadoopConfiguration();
        Cifar10Files files = Cifar10Files.locate(dataDir, s.cacheDirOrDefault(), conf);
        List<String> names = files.classNames();
        long[] bad = {0};
        List<Cifar10RecordReader.Split> trainSplits = new ArrayList<>();
        long trainExpected = 0;
        for (Path f : files.trainFiles()) {
            long records = wholeRecords(files, f, s.onBadRecord(), bad);
            trainSplits.addAll(Cifar10RecordReader.splits(f, records, RECORDS_PER_SPLIT));
            trainExpected += records;
        }
        long evalExpected = wholeRecords(files, files.testFile(), s.onBadRecord(), bad);
        List<Cifar10RecordReader.Split> evalSplits = Cifar10RecordReader.splits(files.testFile(), evalExpected,
                RECORDS_PER_SPLIT);

        HadoopConfHolder hconf = new HadoopConfHolder(conf);
        try {
            JavaPairRDD<Integer, byte[]> train = indexed(read(sc, trainSplits, hconf, s.onBadRecord()))
                    .persist(StorageLevel.MEMORY_ONLY_SER());
            sc.setJobDescription("read CIFAR-10 training records from " + files.dir());
            int trainCount = Math.toIntExact(train.count());
            JavaPairRDD<Integer, byte[]> evalIndexed = indexed(read(sc, evalSplits, hconf, s.onBadRecord()));
            sc.setJobDescription("read CIFAR-10 test records from " + files.dir());
            int evalCount = Math.toIntExact(evalIndexed.count());
            JavaPairRDD<Integer, byte[]> eval = evalCount == 0 ? evalIndexed
                    : evalIndexed.repartitionAndSortWithinPartitions(new ContiguousPartitioner(s.workers(), evalCount))
                    .persist(StorageLevel.MEMORY_ONLY_SER());
            eval.count();
            sc.setJobDescription(null);
            long skipped = bad[0] + (trainExpected - trainCount) + (evalExpected - evalCount);
            if (skipped > 0) {
                LOG.warn("CIFAR-10 in {}: skipped {} corrupt records (--on_bad_record skip)", files.dir(), skipped);
            }
            Cifar10TrainingInput input = new Cifar10TrainingInput(s, names, train, trainCount, eval, evalCount,
                    skipped, files.dir());
            if (input.stepsPerEpoch() == 0) {
                throw new IllegalArgumentException(files.dir() + " holds " + trainCount + " valid training images,"
                        + " fewer than one global batch (" + s.workers() + " workers x " + s.batchPerWorker() + ")");
            }
            LOG.info("CIFAR-10 in {}: {} training images ({} used per epoch: {} steps x {} workers x {}), {} test"
                            + " images, {} bad records", files.dir(), trainCount, input.trainImages(),
                    input.stepsPerEpoch(), s.workers(), s.batchPerWorker(), evalCount, skipped);
            return input;
        } catch (Exception e) { // Spark's Scala code throws the checked SparkException undeclared
            if (e instanceof SparkException se) {
                throw dataErrorOr(se);
            }
            if (e.getCause() instanceof SparkException se) {
                throw dataErrorOr(se);
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e);
        }
    }

    /** Whole records of {@code f}; a partial trailing record fails or counts as bad per the policy. */
    private static long wholeRecords(Cifar10Files files, Path f, BadRecordPolicy policy, long[] bad)
            throws IOException {
        long size = files.size(f);
        if (size % RECORD_BYTES != 0) {
            if (policy == BadRecordPolicy.FAIL) {
                throw new InvalidDataException(f + ": size " + size + " is not a multiple of the " + RECORD_BYTES
                        + "-byte CIFAR-10 record (label + 32x32x3 pixels); record " + size / RECORD_BYTES
                        + " is truncated");
            }
            LOG.warn("{}: size {} is not a multiple of {}; skipping the partial record {}", f, size, RECORD_BYTES,
                    size / RECORD_BYTES);
            bad[0]++;
        }
        return size / RECORD_BYTES;
    }

    private static JavaRDD<byte[]> read(JavaSparkContext sc, List<Cifar10RecordReader.Split> splits,
                                        HadoopConfHolder conf, BadRecordPolicy policy) {
        return sc.parallelize(splits, Math.max(1, splits.size()))
                .flatMap(split -> Cifar10RecordReader.read(split, conf.get(), policy).iterator());
    }

    /** Dense indices 0..n-1 in file order (skipped records leave no gaps). */
    private static JavaPairRDD<Integer, byte[]> indexed(JavaRDD<byte[]> records) {
        return records.zipWithIndex().mapToPair(t -> new Tuple2<>(Math.toIntExact(t._2()), t._1()));
    }

    /** The InvalidDataException a task threw, re-thrown on the driver with its one-line message. */
    private static RuntimeException dataErrorOr(SparkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidDataException ide) {
                return new InvalidDataException(ide.getMessage(), e);
            }
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        int at = msg.indexOf(InvalidDataException.class.getName() + ": ");
        if (at >= 0) { // the cause did not survive serialization; its message did
            String rest = msg.substring(at + InvalidDataException.class.getName().length() + 2);
            return new InvalidDataException(rest.lines().findFirst().orElse(rest), e);
        }
        return new RuntimeException(e);
    }

    /** Global steps per epoch: floor(valid training images / (workers x batchPerWorker)). */
    public long stepsPerEpoch() {
        return trainCount / ((long) settings.workers() * settings.batchPerWorker());
    }

    @Override
    public JavaRDD<HeapBatch> trainHeapBatches(int epoch, int batchesPerRound) {
        int n = trainCount;
        long seed = settings.seed();
        long used = stepsPerEpoch() * settings.workers() * settings.batchPerWorker();
        Batcher batcher = new Batcher(settings.batchPerWorker(),
                Cifar10Preprocessing.exampleShape(settings.format()), settings.numClasses(),
                settings.labelSmoothing(), Batcher.Remainder.DROP);
        var format = settings.format();
        return EpochShuffle.place(trainRecords, n, used, seed, epoch, settings.workers(),
                        (long) batchesPerRound * settings.batchPerWorker())
                .mapPartitionsWithIndex((partition, it) -> {
                    SplittableRandom rnd = Seeds.forPartition(seed, epoch, partition);
                    Iterator<LabeledExample> examples = LazyIterators.map(it, t -> new LabeledExample(
                            Cifar10Preprocessing.train(t._2(), rnd, format), t._2()[0]));
                    return batcher.heapBatches(examples);
                }, true)
                .setName("CIFAR-10 training batches, epoch " + (epoch + 1));
    }

    @Override
    public JavaRDD<DataSet> evalBatches() {
        Batcher batcher = new Batcher(settings.batchPerWorker(),
                Cifar10Preprocessing.exampleShape(settings.format()), settings.numClasses(), 0,
                Batcher.Remainder.KEEP);
        var format = settings.format();
        return evalRecords
                .mapPartitions(it -> batcher.batches(LazyIterators.map(it, t -> new LabeledExample(
                        Cifar10Preprocessing.eval(t._2(), format), t._2()[0]))), true)
                .setName("CIFAR-10 evaluation batches");
    }

    /** Images trained per epoch: {@code stepsPerEpoch() x workers x batchPerWorker} (see the class comment). */
    @Override
    public long trainImages() {
        return stepsPerEpoch() * settings.workers() * settings.batchPerWorker();
    }

    /** Valid training records (all of which take part in the epochs' random orders). */
    public long trainRecords() {
        return trainCount;
    }

    @Override
    public long evalImages() {
        return evalCount;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public long badRecords() {
        return badRecords;
    }

    /** The directory the .bin files were read from (the extraction directory for an archive). */
    public Path dir() {
        return dir;
    }

    /** Drops the cached records. */
    public void close() {
        trainRecords.unpersist(false);
        evalRecords.unpersist(false);
    }
}
