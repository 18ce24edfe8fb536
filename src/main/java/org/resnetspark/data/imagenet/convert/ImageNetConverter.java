package org.resnetspark.data.imagenet.convert;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.resnetspark.data.ContiguousPartitioner;
import org.resnetspark.data.HadoopConfHolder;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.imagenet.ImageNetShards;
import org.resnetspark.data.imagenet.SparkTaskErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * TensorFlow's {@code build_imagenet_data.py} as a Spark job: raw ImageNet ({@link RawImageNetLayout}) to
 * {@code train-NNNNN-of-MMMMM} and {@code validation-NNNNN-of-MMMMM} TFRecord shards with the same keys and types
 * ({@link ImageNetExample}), labels 1..N in synset-list order.
 *
 * <p>Guarantees: each split is put in a random order that depends only on the seed (Fisher-Yates with
 * {@link SplittableRandom}; not Python's {@code random.shuffle}, so the order differs from TF's files) and cut
 * into contiguous shards whose sizes differ by at most one, one Spark task per shard; every image appears
 * exactly once. Shards are written under a hidden temporary directory in the output and renamed into place only
 * when every shard has been written, so a failed run leaves no partial {@code train-*} set. A corrupt input
 * image (truncated, undecodable) fails the job with a one-line {@link InvalidDataException} naming the file.
 */
public final class ImageNetConverter {

    private static final Logger LOG = LoggerFactory.getLogger(ImageNetConverter.class);

    /**
     * What a conversion wrote.
     *
     * @param trainImages      records in the train-* shards
     * @param validationImages records in the validation-* shards
     * @param reencoded        PNG and CMYK inputs re-encoded as RGB JPEG
     * @param shards           the shard file names, train first, each in index order
     */
    public record Result(long trainImages, long validationImages, long reencoded, List<String> shards) {
    }

    private ImageNetConverter() {
    }

    /**
     * @throws IllegalArgumentException for a bad input layout, or an output directory that already holds shards
     * @throws InvalidDataException     for a corrupt input image
     */
    public static Result run(JavaSparkContext sc, ConvertSettings s) throws IOException {
        Configuration conf = sc.hadoopConfiguration();
        RawImageNetLayout layout = RawImageNetLayout.scan(s, conf);
        if (layout.train().isEmpty() || layout.validation().isEmpty()) {
            throw new IllegalArgumentException(s.inputDir() + ": " + layout.train().size() + " training and "
                    + layout.validation().size() + " validation images; both splits need at least one");
        }
        Path out = new Path(s.outputDir());
        FileSystem fs = out.getFileSystem(conf);
        out = fs.makeQualified(out);
        ImageNetShards existing = ImageNetShards.list(out.toString(), conf);
        if (!existing.train().isEmpty() || !existing.validation().isEmpty()) {
            throw new IllegalArgumentException(out + " already holds " + existing.train().size() + " train-* and "
                    + existing.validation().size() + " validation-* files; choose an empty --output_dir");
        }
        Path temp = new Path(out, ".convert-" + UUID.randomUUID());
        LOG.info("converting {} training and {} validation images of {} synsets from {} to {} ({} + {} shards)",
                layout.train().size(), layout.validation().size(), layout.synsets().size(), s.inputDir(), out,
                s.trainShards(), s.validationShards());
        try {
            List<ShardWriter.Written> written = new ArrayList<>();
            written.addAll(writeSplit(sc, "train", shuffled(layout.train(), s.seed()), s.trainShards(), temp));
            written.addAll(writeSplit(sc, "validation", shuffled(layout.validation(), s.seed()),
                    s.validationShards(), temp));
            List<String> names = new ArrayList<>();
            long reencoded = 0;
            for (ShardWriter.Written w : written) {
                Path target = new Path(out, w.name);
                if (!fs.rename(new Path(temp, w.name), target)) {
                    throw new IOException("cannot rename " + new Path(temp, w.name) + " to " + target);
                }
                names.add(w.name);
                reencoded += w.reencoded;
            }
            LOG.info("wrote {} shards to {}; {} PNG/CMYK images re-encoded as RGB JPEG", names.size(), out,
                    reencoded);
            return new Result(layout.train().size(), layout.validation().size(), reencoded, List.copyOf(names));
        } catch (Exception e) { // includes Spark's undeclared SparkException
            throw SparkTaskErrors.rethrow(e);
        } finally {
            sc.setJobDescription(null);
            fs.delete(temp, true);
        }
    }

    /** The images in the order given by {@code seed} (Fisher-Yates). */
    static List<SourceImage> shuffled(List<SourceImage> images, long seed) {
        List<SourceImage> list = new ArrayList<>(images);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            SourceImage t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
        return list;
    }

    private static List<ShardWriter.Written> writeSplit(JavaSparkContext sc, String split, List<SourceImage> images,
                                                        int shards, Path temp) {
        List<Tuple2<Integer, SourceImage>> keyed = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i++) {
            keyed.add(new Tuple2<>(i, images.get(i)));
        }
        HadoopConfHolder conf = new HadoopConfHolder(sc.hadoopConfiguration());
        String tempDir = temp.toString();
        sc.setJobDescription("convert ImageNet " + split + ": " + images.size() + " images to " + shards + " shards");
        // position i goes to shard floor(i * shards / n): contiguous ranges of the shuffled order, sorted within
        return JavaPairRDD.fromJavaRDD(sc.parallelize(keyed, Math.max(1, Math.min(shards, sc.defaultParallelism()))))
                .repartitionAndSortWithinPartitions(new ContiguousPartitioner(shards, images.size()))
                .mapPartitionsWithIndex((shard, it) -> {
                    String name = ShardNames.of(split, shard, shards);
                    ShardWriter.Written w = ShardWriter.write(values(it), new Path(tempDir, name), name, conf.get());
                    return List.of(w).iterator();
                }, true)
                .collect();
    }

    private static <K, V> java.util.Iterator<V> values(java.util.Iterator<Tuple2<K, V>> it) {
        return new java.util.Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public V next() {
                return it.next()._2();
            }
        };
    }
}
