package org.resnetspark.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.cli.UsageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.FileNotFoundException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code predict}: top-k classes of images with an exported bundle, on the local machine (no Spark).
 *
 * <p>Output, one line per image in input order: {@code <source>: <name> (<p>), <name> (<p>), ...} with
 * probabilities to 4 decimals, or with {@code --json} one object per line:
 * {@code {"source":..., "predictions":[{"rank":1,"class":..,"name":..,"probability":..}, ...]}}. An image that
 * cannot be read is reported on stderr ({@code error: <source>: <reason>}; with {@code --json} also as
 * {@code {"source":..., "error":...}} on stdout) and the others are still predicted; the exit code is then 1,
 * after a last line counting the failures.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Print the top-k classes (names and probabilities) of JPEG/PNG images or of the image/encoded"
                + " records of TFRecord files, with a bundle written by 'export'.")
public final class PredictCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

    @Option(names = "--export_dir", paramLabel = "DIR", required = true, description = "The bundle.")
    String exportDir;

    @Option(names = "--top_k", paramLabel = "K", defaultValue = "5",
            description = "Classes printed per image (at most the number of classes). Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--json", description = "One JSON object per image and line.")
    boolean json;

    @Option(names = "--batch_size", paramLabel = "N", defaultValue = "32",
            description = "Images per forward pass. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Parameters(paramLabel = "IMAGE_OR_TFRECORD", arity = "1..*",
            description = "JPEG/PNG files and TFRecord files (plain or GZIP), any Hadoop filesystem.")
    List<String> inputs;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (topK < 1) {
            throw new UsageException("--top_k must be >= 1, got " + topK);
        }
        if (batchSize < 1) {
            throw new UsageException("--batch_size must be >= 1, got " + batchSize);
        }
        Configuration conf = new Configuration();
        ExportedModel model;
        try {
            model = ExportedModel.load(exportDir, conf);
        } catch (FileNotFoundException e) {
            throw new UsageException("--export_dir " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PredictionInputs reader = new PredictionInputs(conf);
        List<PredictionInputs.Item> pending = new ArrayList<>();
        int images = 0;
        int failed = 0;
        for (String path : inputs) {
            for (PredictionInputs.Item item : reader.read(path)) {
                pending.add(item);
                images++;
                if (pending.size() == batchSize) {
                    failed += flush(model, pending, out, err);
                }
            }
        }
        failed += flush(model, pending, out, err);
        out.flush();
        if (failed > 0) {
            err.printf("error: %d of %d images could not be read%n", failed, images);
            err.flush();
            return 1;
        }
        return 0;
    }

    /** Predicts the readable items of a batch and prints every item in order; returns the failures. */
    private int flush(ExportedModel model, List<PredictionInputs.Item> batch, PrintWriter out, PrintWriter err) {
        int per = model.preprocessor().valuesPerImage();
        float[] values = new float[batch.size() * per];
        List<String> errors = new ArrayList<>();
        int good = 0;
        for (PredictionInputs.Item item : batch) {
            String error = item.error();
            if (error == null) {
                try {
                    model.preprocessor().preprocess(item.encoded(), item.source(), values, good * per);
                    good++;
                } catch (RuntimeException e) {
                    LOG.debug("cannot preprocess {}", item.source(), e);
                    // CorruptImageException messages already start with the source
                    String m = String.valueOf(e.getMessage());
                    error = m.startsWith(item.source()) ? m.substring(item.source().length()).replaceFirst("^: ", "")
                            : m;
                }
            }
            errors.add(error);
        }
        List<List<Prediction>> top = List.of();
        if (good > 0) {
            float[] used = good == batch.size() ? values : java.util.Arrays.copyOf(values, good * per);
            INDArray probabilities = model.predictTensor(Nd4j.create(used, model.inputShape(good), 'c'));
            top = model.topK(probabilities, topK);
        }
        int next = 0;
        int failed = 0;
        for (int i = 0; i < batch.size(); i++) {
            String source = batch.get(i).source();
            String error = errors.get(i);
            if (error != null) {
                failed++;
                err.println("error: " + source + ": " + error.replace('\n', ' '));
                if (json) {
                    out.println(mapper.createObjectNode().put("source", source).put("error", error));
                }
            } else {
                print(source, top.get(next++), out);
            }
        }
        err.flush();
        batch.clear();
        return failed;
    }

    private void print(String source, List<Prediction> predictions, PrintWriter out) {
        if (json) {
            ObjectNode o = mapper.createObjectNode();
            o.put("source", source);
            ArrayNode arr = o.putArray("predictions");
            for (Prediction p : predictions) {
                arr.addObject().put("rank", p.rank()).put("class", p.classIndex()).put("name", p.name())
                        .put("probability", p.probability());
            }
            out.println(o);
            return;
        }
        StringBuilder line = new StringBuilder(source).append(':');
        for (int i = 0; i < predictions.size(); i++) {
            Prediction p = predictions.get(i);
            line.append(i == 0 ? " " : ", ").append(p.name())
                    .append(String.format(Locale.ROOT, " (%.4f)", p.probability()));
        }
        out.println(line);
    }
}
