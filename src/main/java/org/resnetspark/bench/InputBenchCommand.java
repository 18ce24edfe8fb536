package org.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.resnetspark.cli.UsageException;
import org.resnetspark.data.image.ImageDecoder;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;
import org.resnetspark.data.image.NativeJpeg;
import org.resnetspark.data.imagenet.DistortedBoxSampler;
import org.resnetspark.data.imagenet.ImageNetPreprocessing;
import org.resnetspark.data.imagenet.PreprocessingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

/**
 * {@code bench input}: single-thread throughput of the ImageNet train and eval preprocessing against libjpeg-turbo's
 * own full-size decode of the same photos (the cost a decode-everything pipeline pays before doing anything), with
 * OpenCV's {@code imdecode} and the preprocessing on whole OpenCV-decoded images alongside, all measured in the same
 * run so the ratios hold under any load.
 */
@Command(name = "input", mixinStandardHelpOptions = true,
        description = "ImageNet JPEG preprocessing (TF-official train and eval) vs libjpeg-turbo's full-size decode,"
                + " one thread, same run.")
public final class InputBenchCommand implements Callable<Integer> {

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
        // every mode sees the same crops: each gets its own generator with the same seed
        double libjpeg = NativeJpeg.available() ? measure(libjpegFullDecode(photos), photos) : Double.NaN;
        double opencv = measure(InputBenchCommand::opencvFullDecode, photos);
        SplittableRandom rng1 = new SplittableRandom(1);
        double train = measure(b -> prep.train(b, null, rng1, "bench", out, 0), photos);
        double eval = measure(b -> prep.eval(b, "bench", out, 0), photos);
        SplittableRandom rng2 = new SplittableRandom(1);
        double trainWhole = measure(b -> wholeImage.train(b, null, rng2, "bench", out, 0), photos);
        double evalWhole = measure(b -> wholeImage.eval(b, "bench", out, 0), photos);
        double base = NativeJpeg.available() ? libjpeg : opencv;
        o.put("baseline", NativeJpeg.available() ? "libjpeg-turbo full-size decode" : "opencv imdecode full size");
        o.put("libjpeg_full_decode_images_per_sec", NativeJpeg.available() ? round(libjpeg) : null);
        o.put("opencv_full_decode_images_per_sec", round(opencv));
        o.put("baseline_images_per_sec", round(base));
        o.put("train_images_per_sec", round(train));
        o.put("eval_images_per_sec", round(eval));
        o.put("train_whole_image_opencv_images_per_sec", round(trainWhole));
        o.put("eval_whole_image_opencv_images_per_sec", round(evalWhole));
        o.put("train_vs_baseline", round(train / base));
        o.put("eval_vs_baseline", round(eval / base));
        o.put("load_avg_1m", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        PrintWriter stdout = spec.commandLine().getOut();
        if (json) {
            stdout.println(new ObjectMapper().writeValueAsString(o));
        } else {
            stdout.printf("%d photos from %s, %d timed passes after 1 warm-up, 1 thread, output %dx%d; JPEG: %s%n",
                    photos.size(), dir, passes, imageSize, imageSize, NativeJpeg.status());
            if (NativeJpeg.available()) {
                row(stdout, "libjpeg-turbo full-size decode", libjpeg, base);
            }
            row(stdout, "opencv imdecode, full size", opencv, base);
            row(stdout, "train preprocessing", train, base);
            row(stdout, "eval preprocessing", eval, base);
            row(stdout, "train, whole-image opencv decode", trainWhole, base);
            row(stdout, "eval, whole-image opencv decode", evalWhole, base);
            stdout.printf("baseline: %s; load avg %s (1 min, %s CPUs)%n", o.get("baseline"), o.get("load_avg_1m"),
                    o.get("cpus"));
        }
        stdout.flush();
        return 0;
    }

    private static void row(PrintWriter out, String what, double rate, double base) {
        out.printf("%-34s %8.1f img/s (%.2fx baseline)%n", what, rate, rate / base);
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

    /** Images per second over {@code passes} passes, after one warm-up pass (JIT, native loading). */
    private double measure(Consumer<byte[]> work, List<byte[]> photos) {
        photos.forEach(work);
        long start = System.nanoTime();
        for (int p = 0; p < passes; p++) {
            photos.forEach(work);
        }
        return photos.size() * (double) passes / ((System.nanoTime() - start) / 1e9);
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
