package org.resnetspark.data.imagenet;

import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.Batcher;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.data.EpochShuffle;
import org.resnetspark.data.InputSettings;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.LazyIterators;
import org.resnetspark.data.Seeds;
import org.resnetspark.data.tfrecord.TFRecordBadRecords;
import org.resnetspark.train.TrainingInput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * ImageNet TFRecord shards ({@code build_imagenet_data.py} layout, see {@link ImageNetSchema}) for the training
 * loop.
 *
 * <p><b>Loading</b> ({@link #open}): {@code train-*} and {@code validation-*} under the data directory are read
 * once with {@code format("tfrecord")} and {@link ImageNetSchema#READ}; each record is checked by
 * {@link ImageNetRowConverter} (label in 1..numClasses, complete JPEG/PNG structure, box lists) and cached as an
 * {@link ImageNetRecord} (encoded bytes, 0-based label, clipped boxes) with {@code MEMORY_AND_DISK_SER}: one
 * partition per shard, never decoded pixels. Class names ({@code image/class/synset}, plus
 * {@code image/class/text} when present; else {@code "class N"}) are collected in the same pass.
 *
 * <p><b>Training epochs</b>: as {@code Cifar10TrainingInput}: an order depending only on (seed, epoch)
 * ({@link EpochShuffle}); the first {@code steps x workers x batchPerWorker} records of it, {@code steps =
 * floor(valid records / (workers x batchPerWorker))}, go to {@code workers} partitions of exactly {@code steps}
 * batches each (DL4J's training masters need equal batch counts); the rest (fewer than one global batch) sit out
 * this epoch only. Each partition decodes and augments (TF official train preprocessing, {@code --image_size})
 * with the stream {@link Seeds#forPartition}(seed, epoch, partition). So each used record is seen exactly once
 * per epoch, a rerun gives the same batches, and every epoch has fresh crops. Note that the per-epoch order
 * moves the encoded bytes through a Spark shuffle (~140 GB for full ImageNet) every epoch.
 *
 * <p><b>Evaluation</b>: every valid validation record, in shard order and shard partitions, with TF's eval
 * preprocessing (deterministic); the last batch of a partition may be smaller.
 *
 * <p><b>Bad records</b>, under {@code --on_bad_record skip} (the default): unreadable TFRecords (bad CRC,
 * truncation; counted by {@link TFRecordBadRecords}) and records failing the load-time checks are skipped,
 * logged at WARN with {@code <shard>#<index> (<image/filename>)}, and counted once, at load time. An image that
 * passes those checks but still fails to decode in an epoch is logged and counted once per distinct record; in
 * training it is replaced by another crop of a good image of the same partition (to keep the batch counts
 * equal), in evaluation it is left out. {@link #badRecords()} is the sum. Under {@code fail}, the first bad
 * record stops the job with an {@link InvalidDataException} whose message is one line naming the record.
 * (The {@code #index} counts the records the TFRecord reader delivered: after an unreadable TFRecord skipped
 * earlier in the same shard it is one lower than the position in the file; the reader's own WARN line gives
 * that position.)
 */
public final class ImageNetTrainingInput implements TrainingInput {

    private static final Logger LOG = LoggerFactory.getLogger(ImageNetTrainingInput.class);

    private final InputSettings settings;
    private final int imageSize;
    private final EncodedPreprocessing.Factory preprocessing;
    private final List<String> classNames;
    /** Valid training records, one partition per shard. */
    private final JavaRDD<ImageNetRecord> train;
    /** Dense index of the first record of each training partition. */
    private final long[] trainOffsets;
    private final int trainCount;
    private final JavaRDD<ImageNetRecord> eval;
    private final long evalCount;
    private final long loadBadRecords;
    private final DecodeFailures decodeFailures;

    private ImageNetTrainingInput(InputSettings settings, int imageSize, EncodedPreprocessing.Factory preprocessing,
                                  List<String> classNames, Loaded train, Loaded eval, long loadBadRecords,
                                  DecodeFailures decodeFailures) {
        this.settings = settings;
        this.imageSize = imageSize;
        this.preprocessing = preprocessing;
        this.classNames = classNames;
        this.train = train.records;
        this.trainOffsets = train.offsets;
        this.trainCount = Math.toIntExact(train.count);
        this.eval = eval.records;
        this.evalCount = eval.count;
        this.loadBadRecords = loadBadRecords;
        this.decodeFailures = decodeFailures;
    }

    /**
     * Reads, checks and caches the shards under {@code dataDir} (any Hadoop filesystem).
     *
     * @param imageSize side of the square network input (224 for TF parity; small values such as 64 for tests)
     * @throws IllegalArgumentException when there are no {@code train-*} or no {@code validation-*} shards, or
     *                                  fewer valid training images than one global batch
     * @throws InvalidDataException     under {@link BadRecordPolicy#FAIL}, for the first bad record (one line)
     */
    public static ImageNetTrainingInput open(SparkSession spark, String dataDir, InputSettings s, int imageSize)
            throws IOException {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        ImageNetShards shards = ImageNetShards.list(dataDir, sc.hadoopConfiguration());
        if (shards.train().isEmpty() || shards.validation().isEmpty()) {
            throw new IllegalArgumentException(shards.dir() + " has " + shards.train().size() + " train-* and "
                    + shards.validation().size() + " validation-* TFRecord shards; both are needed");
        }
        TensorLayout layout = TensorLayout.of(s.format());
        EncodedPreprocessing.Factory prep = () -> preprocessing(imageSize, layout);
        // identities rather than a count: a retried task adds the same record again, a set counts it once
        CollectionAccumulator<String> checkFailures = sc.sc().collectionAccumulator("imagenet.badRecords");
        CollectionAccumulator<String> names = sc.sc().collectionAccumulator("imagenet.classNames");
        DecodeFailures decodeFailures = new DecodeFailures(s.onBadRecord(),
                sc.sc().collectionAccumulator("imagenet.decodeFailures"));
        TFRecordBadRecords.reset(spark);
        try {
            sc.setJobDescription("read ImageNet training shards from " + shards.dir());
            Loaded train = load(spark, shards.train(), s, checkFailures, names);
            sc.setJobDescription("read ImageNet validation shards from " + shards.dir());
            Loaded eval = load(spark, shards.validation(), s, checkFailures, names);
            sc.setJobDescription(null);
            long bad = new HashSet<>(checkFailures.value()).size() + TFRecordBadRecords.count(spark);
            if (bad > 0) {
                LOG.warn("ImageNet in {}: skipped {} bad records (--on_bad_record skip; each logged above)",
                        shards.dir(), bad);
            }
            ImageNetTrainingInput input = new ImageNetTrainingInput(s, imageSize, prep, classNames(names.value(),
                    s.numClasses()), train, eval, bad, decodeFailures);
            if (input.stepsPerEpoch() == 0) {
                input.close();
                throw new IllegalArgumentException(shards.dir() + " holds " + train.count + " valid training"
                        + " images, fewer than one global batch (" + s.workers() + " workers x "
                        + s.batchPerWorker() + ")");
            }
            LOG.info("ImageNet in {}: {} training images in {} shards ({} used per epoch: {} steps x {} workers x"
                            + " {}), {} validation images in {} shards, {} bad records, {}x{} input", shards.dir(),
                    train.count, shards.train().size(), input.trainImages(), input.stepsPerEpoch(), s.workers(),
                    s.batchPerWorker(), eval.count, shards.validation().size(), bad, imageSize, imageSize);
            return input;
        } catch (Exception e) { // includes Spark's undeclared SparkException
            sc.setJobDescription(null);
            throw SparkTaskErrors.rethrow(e);
        }
    }

    /**
     * A training input over records that are already in memory, e.g. encoded images from a DataFrame (the Spark
     * ML estimator): the same epochs, balanced worker partitions and bad-image handling as {@link #open}, with
     * the given per-example preprocessing. Both RDDs are persisted here ({@code MEMORY_AND_DISK_SER}) and counted
     * once; {@link #close()} unpersists them.
     *
     * @param train       0-based labels in {@code 0..numClasses-1}
     * @param eval        evaluated after every {@code epochsBetweenEvals} epochs (may be the training records)
     * @param imageSize   side of the square network input {@code preprocessing} produces
     * @throws IllegalArgumentException when there are fewer training records than one global batch
     */
    public static ImageNetTrainingInput fromRecords(JavaSparkContext sc, JavaRDD<ImageNetRecord> train,
                                                    JavaRDD<ImageNetRecord> eval, InputSettings s, int imageSize,
                                                    EncodedPreprocessing.Factory preprocessing,
                                                    List<String> classNames) {
        DecodeFailures decodeFailures = new DecodeFailures(s.onBadRecord(),
                sc.sc().collectionAccumulator("encoded.decodeFailures"));
        Loaded t = index(train.persist(StorageLevel.MEMORY_AND_DISK_SER()));
        Loaded e = eval == train ? t : index(eval.persist(StorageLevel.MEMORY_AND_DISK_SER()));
        ImageNetTrainingInput input = new ImageNetTrainingInput(s, imageSize, preprocessing, List.copyOf(classNames),
                t, e, 0, decodeFailures);
        if (input.stepsPerEpoch() == 0) {
            input.close();
            throw new IllegalArgumentException(t.count + " training images are fewer than one global batch ("
                    + s.workers() + " workers x " + s.batchPerWorker() + ")");
        }
        return input;
    }

    /** Cached valid records of some shards, and where each partition's dense indices start. */
    private record Loaded(JavaRDD<ImageNetRecord> records, long[] offsets, long count) {
    }

    private static Loaded load(SparkSession spark, List<Path> files, InputSettings s,
                               CollectionAccumulator<String> bad,
                               CollectionAccumulator<String> names) {
        String[] paths = files.stream().map(Path::toString).toArray(String[]::new);
        String[] shardNames = files.stream().map(Path::getName).toArray(String[]::new);
        BadRecordPolicy policy = s.onBadRecord();
        ImageNetRowConverter converter = new ImageNetRowConverter(s.numClasses());
        JavaRDD<Row> rows = spark.read().format("tfrecord").schema(ImageNetSchema.READ)
                .option("mode", policy == BadRecordPolicy.SKIP ? "DROPMALFORMED" : "FAILFAST")
                .load(paths).javaRDD();
        if (rows.getNumPartitions() != paths.length) { // the data source promises one partition per file
            throw new IllegalStateException("tfrecord made " + rows.getNumPartitions() + " partitions of "
                    + paths.length + " shards");
        }
        int synset = ImageNetSchema.READ.fieldIndex(ImageNetSchema.SYNSET);
        int text = ImageNetSchema.READ.fieldIndex(ImageNetSchema.TEXT);
        JavaRDD<ImageNetRecord> records = rows.mapPartitionsWithIndex((p, it) -> {
            List<ImageNetRecord> out = new ArrayList<>();
            Set<Integer> named = new HashSet<>();
            long index = 0;
            while (it.hasNext()) {
                Row row = it.next();
                String source = shardNames[p] + "#" + index++;
                try {
                    ImageNetRecord r = converter.convert(row, source);
                    out.add(r);
                    if (!row.isNullAt(synset) && named.add(r.label())) {
                        String t = row.isNullAt(text) ? "" : row.getString(text);
                        names.add(r.label() + "\t" + row.getString(synset) + "\t" + t);
                    }
                } catch (InvalidDataException e) {
                    if (policy == BadRecordPolicy.FAIL) {
                        throw new InvalidDataException(e.getMessage() + " (--on_bad_record fail)", e);
                    }
                    LOG.warn("skipping bad ImageNet record {}", e.getMessage());
                    bad.add(source);
                }
            }
            return out.iterator();
        }, true).persist(StorageLevel.MEMORY_AND_DISK_SER());
        return index(records);
    }

    /** Counts each partition of cached {@code records} (filling the cache) and indexes them densely. */
    private static Loaded index(JavaRDD<ImageNetRecord> records) {
        int partitions = records.getNumPartitions();
        // one pass fills the cache and gives each partition's size; later passes read the cache only
        List<Tuple2<Integer, Long>> sizes = records.mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            return List.of(new Tuple2<>(p, n)).iterator();
        }, true).collect();
        long[] sizeOf = new long[partitions];
        sizes.forEach(t -> sizeOf[t._1()] = t._2());
        long[] offsets = new long[partitions];
        long total = 0;
        for (int p = 0; p < partitions; p++) {
            offsets[p] = total;
            total += sizeOf[p];
        }
        return new Loaded(records, offsets, total);
    }

    /**
     * Names per 0-based label: {@code "n01440764 (tench, Tinca tinca)"}, the synset alone when the text is absent
     * or equal to it, {@code "class N"} for labels no record names. Conflicting synsets for one label: the
     * smallest wins (deterministic) and a warning is logged.
     */
    static List<String> classNames(List<String> collected, int numClasses) {
        TreeMap<Integer, String> byLabel = new TreeMap<>();
        for (String line : collected) {
            String[] f = line.split("\t", 3);
            int label = Integer.parseInt(f[0]);
            String name = f[2].isEmpty() || f[2].equals(f[1]) ? f[1] : f[1] + " (" + f[2] + ")";
            String old = byLabel.get(label);
            if (old != null && !old.equals(name)) {
                LOG.warn("label {} is named both '{}' and '{}'", label + 1, old, name);
                name = old.compareTo(name) <= 0 ? old : name;
            }
            byLabel.put(label, name);
        }
        List<String> out = new ArrayList<>(numClasses);
        for (int c = 0; c < numClasses; c++) {
            out.add(byLabel.getOrDefault(c, "class " + c));
        }
        return List.copyOf(out);
    }

    /** Global steps per epoch: floor(valid training images / (workers x batchPerWorker)). */
    public long stepsPerEpoch() {
        return trainCount / ((long) settings.workers() * settings.batchPerWorker());
    }

    @Override
    public JavaRDD<HeapBatch> trainHeapBatches(int epoch, int batchesPerRound) {
        int n = trainCount;
        long seed = settings.seed();
        long used = trainImages();
        long[] offsets = trainOffsets;
        EncodedPreprocessing.Factory prep = preprocessing;
        DecodeFailures failures = decodeFailures;
        Batcher batcher = new Batcher(settings.batchPerWorker(), exampleShape(), settings.numClasses(),
                settings.labelSmoothing(), Batcher.Remainder.DROP);
        JavaPairRDD<Integer, ImageNetRecord> indexed = JavaPairRDD.fromJavaRDD(train
                .mapPartitionsWithIndex((p, it) -> numbered(offsets[p], it), true));
        return EpochShuffle.place(indexed, n, used, seed, epoch, settings.workers(),
                        (long) batchesPerRound * settings.batchPerWorker())
                .mapPartitionsWithIndex((partition, it) -> batcher.heapBatches(ExampleStreams.train(
                        LazyIterators.map(it, Tuple2::_2), prep.create(), Seeds.forPartition(seed, epoch, partition),
                        failures)), true)
                .setName("ImageNet training batches, epoch " + (epoch + 1));
    }

    @Override
    public JavaRDD<DataSet> evalBatches() {
        EncodedPreprocessing.Factory prep = preprocessing;
        DecodeFailures failures = decodeFailures;
        Batcher batcher = new Batcher(settings.batchPerWorker(), exampleShape(), settings.numClasses(), 0,
                Batcher.Remainder.KEEP);
        return eval.mapPartitions(it -> batcher.batches(ExampleStreams.eval(it, prep.create(),
                        failures)), true)
                .setName("ImageNet evaluation batches");
    }

    /** TF official preprocessing at {@code size}; built inside tasks (it is not Serializable). */
    static ImageNetPreprocessing preprocessing(int size, TensorLayout layout) {
        return new ImageNetPreprocessing(PreprocessingOptions.forOutputSize(size).withLayout(layout));
    }

    /** Side of the square network input. */
    public int imageSize() {
        return imageSize;
    }

    /**
     * Pairs each record with its index: the partition's offset plus its position within it (no zipWithIndex
     * job). Static, so the Spark closure does not capture this input.
     */
    private static Iterator<Tuple2<Integer, ImageNetRecord>> numbered(long first, Iterator<ImageNetRecord> it) {
        return new Iterator<>() {
            private long index = first;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tuple2<Integer, ImageNetRecord> next() {
                return new Tuple2<>(Math.toIntExact(index++), it.next());
            }
        };
    }

    private long[] exampleShape() {
        return TensorLayout.of(settings.format()).shape(imageSize());
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

    /** Valid validation records (an image that fails to decode later is left out of the evaluation). */
    @Override
    public long evalImages() {
        return evalCount;
    }

    /**
     * A fresh mutable list per call: DL4J's Evaluation keeps it and Spark's Kryo re-creates it by calling
     * {@code add}, which immutable lists refuse.
     */
    @Override
    public List<String> classNames() {
        return new ArrayList<>(classNames);
    }

    /**
     * Records skipped so far: bad at load time (unreadable TFRecords, label out of range, incomplete image, box
     * lists of different lengths), plus distinct records whose image failed to decode in an epoch.
     */
    @Override
    public long badRecords() {
        return loadBadRecords + decodeFailures.distinct();
    }

    /** Drops the cached records. */
    public void close() {
        train.unpersist(false);
        eval.unpersist(false);
    }
}
