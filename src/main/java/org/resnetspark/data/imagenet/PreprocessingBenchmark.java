package org.resnetspark.data.imagenet;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Single-thread throughput of train and eval preprocessing against OpenCV's full-size {@code imdecode} of
 * the same photos (the baseline every decode-based pipeline pays). Not run by tests.
 *
 * <p>Usage: {@code PreprocessingBenchmark [photo dir (default ../shared/data/jpeg/imagenet-sample-200)]
 * [passes (default 5)]}. Prints images/s per mode and the ratios to the baseline.
 */
public final class PreprocessingBenchmark {
    private PreprocessingBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "../shared/data/jpeg/imagenet-sample-200");
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        List<byte[]> photos = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().toUpperCase().endsWith(".JPEG")).sorted().toList()) {
                photos.add(Files.readAllBytes(p));
            }
        }
        ImageNetPreprocessing prep = new ImageNetPreprocessing(PreprocessingOptions.defaults());
        float[] out = new float[prep.valuesPerImage()];
        SplittableRandom rng = new SplittableRandom(1);
        Consumer<byte[]> baseline = PreprocessingBenchmark::opencvFullDecode;
        Consumer<byte[]> train = b -> prep.train(b, null, rng, "bench", out, 0);
        Consumer<byte[]> eval = b -> prep.eval(b, "bench", out, 0);

        System.out.printf("%d photos, %d timed passes after 1 warm-up pass, 1 thread%n", photos.size(), passes);
        double base = measure("opencv imdecode full size", baseline, photos, passes);
        double tr = measure("train preprocessing", train, photos, passes);
        double ev = measure("eval preprocessing", eval, photos, passes);
        System.out.printf("ratio train / imdecode: %.2f, eval / imdecode: %.2f%n", tr / base, ev / base);
    }

    private static double measure(String name, Consumer<byte[]> work, List<byte[]> photos, int passes) {
        photos.forEach(work); // warm-up: JIT, native loading
        long start = System.nanoTime();
        for (int p = 0; p < passes; p++) {
            photos.forEach(work);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = photos.size() * passes / seconds;
        System.out.printf("%-28s %8.1f img/s%n", name, rate);
        return rate;
    }

    private static void opencvFullDecode(byte[] encoded) {
        try (BytePointer input = new BytePointer(encoded);
             Mat buffer = new Mat(1, encoded.length, CV_8UC1, input);
             Mat image = imdecode(buffer, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)) {
            if (image.empty()) {
                throw new IllegalStateException("baseline decode failed");
            }
        }
    }
}
