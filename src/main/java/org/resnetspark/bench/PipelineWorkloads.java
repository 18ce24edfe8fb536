package org.resnetspark.bench;

import org.apache.spark.serializer.SerializationStream;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.util.SizeEstimator;
import org.nd4j.linalg.dataset.DataSet;
import org.resnetspark.data.Batcher;
import org.resnetspark.data.ExampleWriter;
import org.resnetspark.data.FeatureArrayPool;
import org.resnetspark.data.HeapBatch;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;
import org.resnetspark.data.imagenet.ExampleStreams;
import org.resnetspark.data.imagenet.ImageNetPreprocessing;
import org.resnetspark.data.imagenet.ImageNetRecord;
import org.resnetspark.data.imagenet.ImageNetRowConverter;
import org.resnetspark.data.imagenet.convert.ImageNetExample;
import org.resnetspark.data.imagenet.convert.RgbJpeg;
import org.resnetspark.data.imagenet.convert.SourceImage;
import org.resnetspark.data.tfrecord.Compression;
import org.resnetspark.data.tfrecord.TFRecordStreams;
import org.tensorflow.example.Example;
import scala.reflect.ClassTag$;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * The stages of the ImageNet input pipeline as an epoch runs them, without Spark, for {@code bench input}: TFRecord
 * bytes to cached records (the first epoch), and cached records to minibatches (every epoch).
 */
final class PipelineWorkloads {
    /** ImageNet's usual per-worker batch (smaller when there are fewer photos). */
    static final int BATCH = 32;
    private static final int CLASSES = 1000;
    /** A pool that keeps nothing: every batch a new array. */
    private static final FeatureArrayPool NEW_ARRAYS = new FeatureArrayPool(0);

    private PipelineWorkloads() {
    }

    /** The photos as one uncompressed TFRecord file in {@code build_imagenet_data.py}'s schema, in memory. */
    static byte[] tfrecordFile(List<byte[]> photos) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < photos.size(); i++) {
            byte[] jpeg = photos.get(i);
            ImageHeader h = ImageHeaderReader.read(jpeg, "photo " + i);
            SourceImage source = new SourceImage("photo-" + i + ".JPEG", "n" + String.format("%08d", i),
                    i % CLASSES + 1, "bench", new float[0][]);
            payloads.add(ImageNetExample.of(source, new RgbJpeg(jpeg, h.width(), h.height(), false)).toByteArray());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TFRecordStreams.writeAll(out, payloads);
        return out.toByteArray();
    }

    /** Framing and CRC32C checks, Example parsing, label, header and structure checks: what loading the cache does. */
    static List<ImageNetRecord> read(byte[] file) {
        ImageNetRowConverter converter = new ImageNetRowConverter(CLASSES);
        try {
            List<byte[]> payloads = TFRecordStreams.readAll(new ByteArrayInputStream(file), Compression.NONE,
                    "bench.tfrecord");
            List<ImageNetRecord> records = new ArrayList<>(payloads.size());
            for (int i = 0; i < payloads.size(); i++) {
                records.add(converter.convert(Example.parseFrom(payloads.get(i)), "bench.tfrecord#" + i));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One training pass over {@code records} into heap minibatches, each a new array; returns images. */
    static int train(List<ImageNetRecord> records, ImageNetPreprocessing prep, SplittableRandom rng) {
        return train(records, prep, rng, NEW_ARRAYS);
    }

    /**
     * One training pass over {@code records} into heap minibatches whose arrays come from {@code arrays} and go back
     * to it when the pass ends, as a training round's do once it trained; returns images.
     */
    static int train(List<ImageNetRecord> records, ImageNetPreprocessing prep, SplittableRandom rng,
                     FeatureArrayPool arrays) {
        Iterator<HeapBatch> batches = batcher(records, prep, Batcher.Remainder.DROP)
                .heapBatches(ExampleStreams.trainFailingFast(records.iterator(), prep, rng), arrays);
        List<float[]> used = new ArrayList<>();
        int n = 0;
        while (batches.hasNext()) {
            HeapBatch b = batches.next();
            n += b.numExamples();
            used.add(b.features());
        }
        used.forEach(arrays::recycle);
        return n;
    }

    /** One evaluation pass over {@code records} into minibatches; returns the images batched. */
    static int eval(List<ImageNetRecord> records, ImageNetPreprocessing prep) {
        Iterator<DataSet> batches = batcher(records, prep, Batcher.Remainder.KEEP)
                .batches(ExampleStreams.evalFailingFast(records.iterator(), prep));
        int n = 0;
        while (batches.hasNext()) {
            n += batches.next().numExamples();
        }
        return n;
    }

    /**
     * One training pass into heap minibatches held as a cached block of objects, as Spark's memory store keeps a
     * training round ({@code MEMORY_ONLY}: each batch sized by Spark's {@code SizeEstimator}, which the store
     * samples). The batches' arrays come from {@code arrays}, and go back to it at the end, as a round's do once it
     * trained and was dropped; returns the images batched.
     */
    static int trainIntoCache(List<ImageNetRecord> records, ImageNetPreprocessing prep, SplittableRandom rng,
                              FeatureArrayPool arrays) {
        Iterator<HeapBatch> batches = batcher(records, prep, Batcher.Remainder.DROP)
                .heapBatches(ExampleStreams.trainFailingFast(records.iterator(), prep, rng), arrays);
        List<HeapBatch> block = new ArrayList<>();
        long bytes = 0;
        int n = 0;
        while (batches.hasNext()) {
            HeapBatch b = batches.next();
            block.add(b);
            bytes += SizeEstimator.estimate(b);
            n += b.numExamples();
        }
        if (bytes <= 0 || block.isEmpty()) {
            throw new IllegalStateException("nothing cached");
        }
        block.forEach(b -> arrays.recycle(b.features()));
        return n;
    }

    /**
     * One training pass into minibatches serialized with {@code serializer} into one cached block
     * ({@code MEMORY_ONLY_SER}), as training rounds were cached before session 23; returns the images batched.
     *
     * @param heap heap minibatches (session 22); false: ND4J {@link DataSet}s (before session 22)
     */
    static int trainIntoSerializedCache(List<ImageNetRecord> records, ImageNetPreprocessing prep,
                                        SplittableRandom rng, SerializerInstance serializer, boolean heap) {
        Batcher batcher = batcher(records, prep, Batcher.Remainder.DROP);
        ExampleWriter examples = ExampleStreams.trainFailingFast(records.iterator(), prep, rng);
        return heap
                ? serialize(batcher.heapBatches(examples, NEW_ARRAYS), HeapBatch.class, HeapBatch::numExamples,
                        serializer)
                : serialize(batcher.batches(examples), DataSet.class, DataSet::numExamples, serializer);
    }

    private static <T> int serialize(Iterator<T> batches, Class<T> type, ToIntFunction<T> images,
                                     SerializerInstance serializer) {
        SerializationStream block = serializer.serializeStream(new CachedBlock());
        int n = 0;
        while (batches.hasNext()) {
            T b = batches.next();
            block.writeObject(b, ClassTag$.MODULE$.apply(type));
            n += images.applyAsInt(b);
        }
        block.close();
        return n;
    }

    /**
     * A block being cached: new 1 MB heap chunks as it grows, kept until the block is dropped, as Spark's memory
     * store does ({@code ChunkedByteBufferOutputStream}, chunks of {@code spark.storage.unrollMemoryThreshold}).
     */
    private static final class CachedBlock extends OutputStream {
        private static final int CHUNK = 1 << 20;
        private final List<byte[]> chunks = new ArrayList<>();
        private int position = CHUNK;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                if (position == CHUNK) {
                    chunks.add(new byte[CHUNK]);
                    position = 0;
                }
                int n = Math.min(len, CHUNK - position);
                System.arraycopy(b, off, chunks.get(chunks.size() - 1), position, n);
                position += n;
                off += n;
                len -= n;
            }
        }
    }

    static int batchSize(List<ImageNetRecord> records) {
        return Math.max(1, Math.min(BATCH, records.size()));
    }

    private static Batcher batcher(List<ImageNetRecord> records, ImageNetPreprocessing prep,
                                   Batcher.Remainder remainder) {
        long[] shape = prep.options().layout().shape(prep.options().outputSize());
        return new Batcher(batchSize(records), shape, CLASSES, 0, remainder);
    }
}
