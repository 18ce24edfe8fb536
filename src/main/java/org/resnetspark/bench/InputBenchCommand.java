package org.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.resnetspark.cli.UsageException;
import org.resnetspark.data.FeatureArrayPool;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;
import org.resnetspark.data.image.NativeJpeg;
import org.resnetspark.data.imagenet.DistortedBoxSampler;
import org.resnetspark.data.imagenet.ImageNetPreprocessing;
import org.resnetspark.data.imagenet.ImageNetRecord;
import org.resnetspark.data.imagenet.PreprocessingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.resnetspark.data.kryo.ResNetKryoRegistrator;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * {@code bench input}: single-thread throughput of the ImageNet train and eval preprocessing, and of the pipeline
 * an epoch runs (TFRecord bytes to cached records; cached records to DL4J minibatches), against libjpeg-turbo's own
 * full-size decode of the same photos (the cost a decode-everything pipeline pays before doing anything), with
 * OpenCV's {@code imdecode} and the preprocessing on whole OpenCV-decoded images alongside. All modes run in turn
 * within each timed pass of one run, so the ratios hold under any load.
 */
@Command(name = "input", mixinStandardHelpOptions = true,
        description = "ImageNet JPEG preprocessing (TF-official train and eval) and input pipeline vs libjpeg-turbo's"
                + " full-size decode, one thread, same run.")
public final class InputBenchCommand implements Callable<Integer> {

    private static final String LIBJPEG = "libjpeg-turbo full-size decode";
    private static final String OPENCV = "opencv imdecode, full size";
    private static final String TRAIN = "train preprocessing";
    private static final String EVAL = "eval preprocessing";
    private static final String TRAIN_WHOLE = "train, whole-image opencv decode";
    private static final String EVAL_WHOLE = "eval, whole-image opencv decode";
    private static final String READ = "read: TFRecord to cached records";
    private static final String TRAIN_PIPELINE = "train pipeline: records to new heap batches";
    private static final String EVAL_PIPELINE = "eval pipeline: records to batches";
    private static final String TRAIN_FROM_FILE = "train from TFRecords: read+pipeline, arrays reused";
    private static final String TRAIN_CACHED = "train pipeline into the round cache";
    private static final String TRAIN_CACHED_HEAP_SER = "  same, serialized (session 22)";
    private static final String TRAIN_CACHED_DATASETS = "  as serialized DataSets (before)";

    @Option(names = "--data_dir", paramLabel = "DIR", defaultValue = "../shared/data/jpeg/imagenet-sample-200",
            description = "Directory of JPEG photos (*.jpeg, *.jpg). Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--image_size", paramLabel = "S", defaultValue = "224",
            description = "Output size of the preprocessing. Default: ${DEFAULT-VALUE}.")
    int imageSize;

    @Option(names = "--passes", paramLabel = "K", defaultValue = "5",
            description = "Timed passes over all photos, after one warm-up pass. Default: ${DEFAULT-VALUE}.")
    int passes;

    @Option(names = "--json", description = "Print one JSON object (and nothing else) on stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (passes < 1 || imageSize < 8) {
            throw new UsageException("--passes must be >= 1 and --image_size >= 8, got " + passes + " and "
                    + imageSize);
        }
        List<byte[]> photos = photos(dir);
        PreprocessingOptions options = PreprocessingOptions.forOutputSize(imageSize);
        ImageNetPreprocessing prep = new ImageNetPreprocessing(options);
        ImageNetPreprocessing wholeImage = new ImageNetPreprocessing(options, DistortedBoxSampler.imageNetDefaults(),
                ImageDecoder.wholeImagesWithOpenCv());
        float[] out = new float[prep.valuesPerImage()];
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("photos", photos.size());
        o.put("image_size", imageSize);
        o.put("passes", passes);
        o.put("threads", 1);
        o.put("jpeg_library", NativeJpeg.status());
        byte[] tfrecords = PipelineWorkloads.tfrecordFile(photos);
        List<ImageNetRecord> records = PipelineWorkloads.read(tfrecords);
        // Each mode is one pass over the photos returning the images it handled. Every mode sees the same crops
        // (its own generator, same seed).
        Map<String, IntSupplier> modes = new LinkedHashMap<>();
        if (NativeJpeg.available()) {
            modes.put(LIBJPEG, overPhotos(libjpegFullDecode(photos), photos));
        }
        modes.put(OPENCV, overPhotos(InputBenchCommand::opencvFullDecode, photos));
        SplittableRandom rng1 = new SplittableRandom(1);
        modes.put(TRAIN, overPhotos(b -> prep.train(b, null, rng1, "bench", out, 0), photos));
        modes.put(EVAL, overPhotos(b -> prep.eval(b, "bench", out, 0), photos));
        SplittableRandom rng2 = new SplittableRandom(1);
        modes.put(TRAIN_WHOLE, overPhotos(b -> wholeImage.train(b, null, rng2, "bench", out, 0), photos));
        modes.put(EVAL_WHOLE, overPhotos(b -> wholeImage.eval(b, "bench", out, 0), photos));
        // the pipeline as an epoch runs it: TFRecord bytes to cached records, records to minibatches
        modes.put(READ, () -> PipelineWorkloads.read(tfrecords).size());
        SplittableRandom rng3 = new SplittableRandom(1);
        modes.put(TRAIN_PIPELINE, () -> PipelineWorkloads.train(records, prep, rng3));
        modes.put(EVAL_PIPELINE, () -> PipelineWorkloads.eval(records, prep));
        SplittableRandom rng4 = new SplittableRandom(1);
        FeatureArrayPool fileArrays = new FeatureArrayPool(Long.MAX_VALUE);
        modes.put(TRAIN_FROM_FILE,
                () -> PipelineWorkloads.train(PipelineWorkloads.read(tfrecords), prep, rng4, fileArrays));
        // ... and into the cache of a training round: heap minibatches kept as objects, their arrays reused pass
        // after pass (what training does), the same serialized (session 22) and ND4J DataSets serialized (before
        // session 22)
        SplittableRandom rng5 = new SplittableRandom(1);
        FeatureArrayPool roundArrays = new FeatureArrayPool(Long.MAX_VALUE);
        modes.put(TRAIN_CACHED, () -> PipelineWorkloads.trainIntoCache(records, prep, rng5, roundArrays));
        SerializerInstance kryo = kryo(ResNetKryoRegistrator.NAME);
        SplittableRandom rng6 = new SplittableRandom(1);
        modes.put(TRAIN_CACHED_HEAP_SER,
                () -> PipelineWorkloads.trainIntoSerializedCache(records, prep, rng6, kryo, true));
        SplittableRandom rng7 = new SplittableRandom(1);
        modes.put(TRAIN_CACHED_DATASETS,
                () -> PipelineWorkloads.trainIntoSerializedCache(records, prep, rng7, kryo, false));
        Map<String, double[]> perPass = interleaved(modes);
        Map<String, Double> rate = new LinkedHashMap<>();
        perPass.forEach((m, r) -> rate.put(m, median(r)));

        String baseMode = NativeJpeg.available() ? LIBJPEG : OPENCV;
        double base = rate.get(baseMode);
        double[] basePerPass = perPass.get(baseMode);
        o.put("baseline", baseMode);
        o.put("rate_method", "median over the passes; the modes run in turn within each pass");
        o.put("per_pass_method", "*_vs_baseline_per_pass: each pass's rate over the baseline's rate in the same pass,"
                + " sorted");
        o.put("libjpeg_full_decode_images_per_sec", NativeJpeg.available() ? round(rate.get(LIBJPEG)) : null);
        o.put("opencv_full_decode_images_per_sec", round(rate.get(OPENCV)));
        o.put("baseline_images_per_sec", round(base));
        o.put("train_images_per_sec", round(rate.get(TRAIN)));
        o.put("eval_images_per_sec", round(rate.get(EVAL)));
        o.put("train_whole_image_opencv_images_per_sec", round(rate.get(TRAIN_WHOLE)));
        o.put("eval_whole_image_opencv_images_per_sec", round(rate.get(EVAL_WHOLE)));
        o.put("tfrecord_read_images_per_sec", round(rate.get(READ)));
        o.put("train_pipeline_images_per_sec", round(rate.get(TRAIN_PIPELINE)));
        o.put("eval_pipeline_images_per_sec", round(rate.get(EVAL_PIPELINE)));
        o.put("train_from_tfrecords_images_per_sec", round(rate.get(TRAIN_FROM_FILE)));
        o.put("train_cached_pipeline_images_per_sec", round(rate.get(TRAIN_CACHED)));
        o.put("train_cached_pipeline_serialized_images_per_sec", round(rate.get(TRAIN_CACHED_HEAP_SER)));
        o.put("train_cached_pipeline_datasets_images_per_sec", round(rate.get(TRAIN_CACHED_DATASETS)));
        o.put("pipeline_batch_size", PipelineWorkloads.batchSize(records));
        o.put("train_vs_baseline", round(rate.get(TRAIN) / base));
        o.put("eval_vs_baseline", round(rate.get(EVAL) / base));
        o.put("train_pipeline_vs_baseline", round(rate.get(TRAIN_PIPELINE) / base));
        o.put("train_from_tfrecords_vs_baseline", round(rate.get(TRAIN_FROM_FILE) / base));
        o.put("train_cached_pipeline_vs_baseline", round(rate.get(TRAIN_CACHED) / base));
        o.put("train_vs_baseline_per_pass", perPassRatios(perPass.get(TRAIN), basePerPass));
        o.put("train_pipeline_vs_baseline_per_pass", perPassRatios(perPass.get(TRAIN_PIPELINE), basePerPass));
        o.put("train_from_tfrecords_vs_baseline_per_pass", perPassRatios(perPass.get(TRAIN_FROM_FILE), basePerPass));
        o.put("train_cached_pipeline_vs_baseline_per_pass", perPassRatios(perPass.get(TRAIN_CACHED), basePerPass));
        o.put("load_avg_1m", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(new ObjectMapper().writeValueAsString(o));
        } else {
            stdout.printf("%d photos from %s, median of %d timed passes after 1 warm-up (modes in turn), 1 thread,"
                    + " output %dx%d; JPEG: %s%n",
                    photos.size(), dir, passes, imageSize, imageSize, NativeJpeg.status());
            rate.forEach((mode, r) -> row(stdout, mode, r, base, perPassRatios(perPass.get(mode), basePerPass)));
            stdout.printf("baseline: %s; load avg %s (1 min, %s CPUs)%n", o.get("baseline"), o.get("load_avg_1m"),
                    o.get("cpus"));
        }
        stdout.flush();
        return 0;
    }

    private static SerializerInstance kryo(String registrator) {
        return new KryoSerializer(new SparkConf()
                .set("spark.kryo.registrator", registrator)
                .set("spark.kryoserializer.buffer.max", "1g")).newInstance();
    }

    private static void row(PrintWriter out, String what, double rate, double base, double[] perPass) {
        out.printf("%-36s %8.1f img/s (%.2fx baseline; per pass %.2f-%.2fx)%n", what, rate, rate / base, perPass[0],
                perPass[perPass.length - 1]);
    }

    /**
     * Each pass's rate over the baseline's rate in the same pass, sorted: paired ratios, which the machine's drift
     * between passes does not widen the way it widens a ratio of two medians.
     */
    private static double[] perPassRatios(double[] rates, double[] baseline) {
        double[] r = new double[rates.length];
        for (int p = 0; p < r.length; p++) {
            r[p] = round(rates[p] / baseline[p]);
        }
        Arrays.sort(r);
        return r;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /**
     * libjpeg-turbo alone, with its defaults (accurate IDCT, as djpeg and tjbench): whole image, full size, to B,G,R
     * bytes; headers read and buffers made beforehand.
     */
    private static Consumer<byte[]> libjpegFullDecode(List<byte[]> photos) {
        Map<byte[], ImageHeader> headers = new IdentityHashMap<>();
        Map<byte[], byte[]> buffers = new IdentityHashMap<>();
        for (byte[] p : photos) {
            ImageHeader h = ImageHeaderReader.read(p, "bench");
            headers.put(p, h);
            buffers.put(p, new byte[h.width() * h.height() * 3]);
        }
        return b -> {
            ImageHeader h = headers.get(b);
            String error = NativeJpeg.decodeRegion(b, b.length, 1, false, 0, 0, h.width(), h.height(),
                    buffers.get(b));
            if (error != null) {
                throw new IllegalStateException("libjpeg-turbo could not decode a photo of the benchmark set: "
                        + error);
            }
        };
    }

    private static List<byte[]> photos(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new UsageException("--data_dir " + dir + ": not a directory of JPEG photos");
        }
        List<byte[]> photos = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> {
                String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return name.endsWith(".jpeg") || name.endsWith(".jpg");
            }).sorted().toList()) {
                photos.add(Files.readAllBytes(p));
            }
        }
        if (photos.isEmpty()) {
            throw new UsageException("--data_dir " + dir + ": no *.jpeg or *.jpg files");
        }
        return photos;
    }

    /**
     * Collects the previous mode's garbage outside the next mode's timing, and gives ND4J's deallocator thread,
     * which frees the native memory of collected batches on the other core, time to finish.
     */
    private static void settle() {
        System.gc();
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static IntSupplier overPhotos(Consumer<byte[]> work, List<byte[]> photos) {
        return () -> {
            photos.forEach(work);
            return photos.size();
        };
    }

    /**
     * Images per second of each mode in each pass: one warm-up pass each (JIT, native loading), then {@code passes}
     * rounds in which every mode runs one pass in turn. Running the modes in turn, not one after the other, keeps
     * the ratios fair when the machine's speed drifts during the run.
     */
    private Map<String, double[]> interleaved(Map<String, IntSupplier> modes) {
        modes.values().forEach(IntSupplier::getAsInt);
        Map<String, double[]> rates = new LinkedHashMap<>();
        modes.keySet().forEach(m -> rates.put(m, new double[passes]));
        for (int p = 0; p < passes; p++) {
            for (Map.Entry<String, IntSupplier> mode : modes.entrySet()) {
                settle();
                long start = System.nanoTime();
                int images = mode.getValue().getAsInt();
                rates.get(mode.getKey())[p] = images / ((System.nanoTime() - start) / 1e9);
            }
        }
        return rates;
    }

    private static void opencvFullDecode(byte[] encoded) {
        try (BytePointer input = new BytePointer(encoded);
             Mat buffer = new Mat(1, encoded.length, CV_8UC1, input);
             Mat image = imdecode(buffer, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) {
            if (image.empty()) {
                throw new IllegalStateException("OpenCV could not decode a photo of the benchmark set");
            }
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
