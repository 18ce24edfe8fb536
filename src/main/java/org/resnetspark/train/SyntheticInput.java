package org.resnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.ContiguousPartitioner;
import org.resnetspark.data.HeapBatch;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * {@code --use_synthetic_data}: random images and labels generated on the executors (as TensorFlow's
 * synthetic input), to measure the training path without input cost. Deterministic for a seed.
 */
public final class SyntheticInput implements TrainingInput {

    private final transient JavaSparkContext sc;
    private final int batchPerWorker;
    private final int numPartitions;
    private final long images;
    private final int imageSize;
    private final int numClasses;
    private final CNN2DFormat format;
    private final long seed;

    public SyntheticInput(JavaSparkContext sc, int batchPerWorker, int numPartitions, long imagesPerEpoch,
                          int imageSize, int numClasses, CNN2DFormat format, long seed) {
        this.sc = sc;
        this.batchPerWorker = batchPerWorker;
        this.numPartitions = numPartitions;
        this.images = imagesPerEpoch;
        this.imageSize = imageSize;
        this.numClasses = numClasses;
        this.format = format;
        this.seed = seed;
    }

    @Override
    public JavaRDD<HeapBatch> trainHeapBatches(int epoch, int batchesPerRound) {
        return batches(seed * 1_000_003L + epoch, batchesPerRound);
    }

    @Override
    public JavaRDD<DataSet> evalBatches() {
        return batches(seed * 1_000_003L - 1, Integer.MAX_VALUE).map(HeapBatch::toDataSet);
    }

    /** Batch ids laid out as {@link TrainingInput#trainBatches(int, int)} requires; batch i depends only on i. */
    private JavaRDD<HeapBatch> batches(long rddSeed, int batchesPerRound) {
        int batches = (int) Math.ceil((double) images / batchPerWorker);
        ContiguousPartitioner layout = new ContiguousPartitioner(numPartitions, batches, batchesPerRound);
        List<List<Integer>> partitions = new ArrayList<>();
        for (int p = 0; p < layout.numPartitions(); p++) {
            partitions.add(new ArrayList<>());
        }
        IntStream.range(0, batches).forEach(i -> partitions.get(layout.getPartition(i)).add(i));
        int b = batchPerWorker;
        long total = images;
        int side = imageSize;
        int classes = numClasses;
        CNN2DFormat fmt = format;
        return sc.parallelize(partitions, partitions.size()).flatMap(List::iterator).map(i -> {
            int n = (int) Math.min(b, total - (long) i * b);
            SplittableRandom r = new SplittableRandom(rddSeed * 31 + i);
            float[] pixels = new float[n * 3 * side * side];
            for (int k = 0; k < pixels.length; k++) {
                pixels[k] = (float) r.nextGaussian();
            }
            long[] shape = fmt == CNN2DFormat.NCHW ? new long[] {3, side, side} : new long[] {side, side, 3};
            float[] labels = new float[n * classes];
            for (int k = 0; k < n; k++) {
                labels[k * classes + r.nextInt(classes)] = 1f;
            }
            return new HeapBatch(pixels, shape, labels, n, classes);
        });
    }

    @Override
    public long trainImages() {
        return images;
    }

    @Override
    public long evalImages() {
        return images;
    }

    @Override
    public List<String> classNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < numClasses; i++) {
            names.add("class_" + i);
        }
        return names;
    }
}
