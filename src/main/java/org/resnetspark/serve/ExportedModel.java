package org.resnetspark.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * An exported bundle, loaded: the network with its two inputs, like a TensorFlow SavedModel's two signatures.
 * {@link #predictTensor} takes preprocessed images; {@link #predictEncoded} takes JPEG/PNG bytes and applies the
 * bundle's own eval preprocessing ({@link EncodedImagePreprocessor}) first.
 *
 * <p>Guarantee: outputs equal, bit for bit, those of the checkpoint the bundle was exported from on the same
 * input (same parameters and configuration; only the updater state is left out). Not thread-safe (a DL4J
 * network is not); load one per thread.
 */
public final class ExportedModel {

    /** The network: a DL4J ModelSerializer zip without updater state. */
    public static final String NETWORK_FILE = "model.zip";
    /** Everything else: architecture, classes, preprocessing, training metrics, provenance. */
    public static final String METADATA_FILE = "metadata.json";

    private final ComputationGraph net;
    private final JsonNode metadata;
    private final ResNetSpec spec;
    private final List<String> classNames;
    private final EncodedImagePreprocessor preprocessor;

    ExportedModel(ComputationGraph net, JsonNode metadata) {
        this.net = net;
        this.metadata = metadata;
        this.spec = specOf(metadata.get("model"));
        List<String> names = new ArrayList<>();
        metadata.get("classes").forEach(c -> names.add(c.get("name").asText()));
        this.classNames = List.copyOf(names);
        this.preprocessor = EncodedImagePreprocessor.fromJson(metadata.get("preprocessing"));
    }

    /**
     * Loads the bundle in {@code exportDir} (any Hadoop filesystem).
     *
     * @throws FileNotFoundException when the directory holds no bundle (no metadata.json or model.zip)
     * @throws IOException           when a file cannot be read or parsed
     */
    public static ExportedModel load(String exportDir, Configuration hadoopConf) throws IOException {
        byte[][] files = files(exportDir, hadoopConf);
        return fromBytes(files[0], files[1]);
    }

    /**
     * The bytes of the bundle's network ({@value #NETWORK_FILE}) and metadata ({@value #METADATA_FILE}), e.g. to
     * broadcast them to Spark executors.
     *
     * @throws FileNotFoundException when the directory holds no bundle (no metadata.json or model.zip)
     */
    public static byte[][] files(String exportDir, Configuration hadoopConf) throws IOException {
        Path dir = new Path(exportDir);
        FileSystem fs = dir.getFileSystem(hadoopConf);
        Path meta = new Path(dir, METADATA_FILE);
        Path network = new Path(dir, NETWORK_FILE);
        if (!fs.exists(meta) || !fs.exists(network)) {
            throw new FileNotFoundException(exportDir + " holds no resnet-spark bundle (no " + METADATA_FILE
                    + " and " + NETWORK_FILE + "; write one with 'resnet-spark export')");
        }
        try (InputStream n = fs.open(network); InputStream m = fs.open(meta)) {
            return new byte[][] {n.readAllBytes(), m.readAllBytes()};
        }
    }

    /**
     * A bundle from the bytes of its two files (e.g. broadcast to Spark executors).
     *
     * @throws IOException when either cannot be parsed
     */
    public static ExportedModel fromBytes(byte[] network, byte[] metadataJson) throws IOException {
        JsonNode metadata = new ObjectMapper().readTree(metadataJson);
        ComputationGraph net = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(network),
                false);
        return new ExportedModel(net, metadata);
    }

    /** The whole {@code metadata.json}. */
    public JsonNode metadata() {
        return metadata;
    }

    public ResNetSpec spec() {
        return spec;
    }

    /** Class names by output index. */
    public List<String> classNames() {
        return classNames;
    }

    public EncodedImagePreprocessor preprocessor() {
        return preprocessor;
    }

    /** The shape of {@code n} preprocessed images: {@code [n, 3, S, S]} (NCHW) or {@code [n, S, S, 3]} (NHWC). */
    public long[] inputShape(int n) {
        int s = spec.imageSize();
        return spec.format() == CNN2DFormat.NCHW ? new long[] {n, 3, s, s} : new long[] {n, s, s, 3};
    }

    /**
     * Raw tensor input: class probabilities {@code [n, numClasses]} (float) of preprocessed images.
     *
     * @param images {@link #inputShape(int)}, values as {@link #preprocessor()} produces them
     * @throws IllegalArgumentException on another shape
     */
    public INDArray predictTensor(INDArray images) {
        long[] expected = inputShape((int) images.size(0));
        if (!Arrays.equals(images.shape(), expected)) {
            throw new IllegalArgumentException("input shape " + Arrays.toString(images.shape()) + ", expected "
                    + Arrays.toString(expected) + " (" + spec.format() + ")");
        }
        INDArray x = images.dataType() == spec.dataType() ? images : images.castTo(spec.dataType());
        INDArray out = net.outputSingle(false, x);
        return out.dataType() == DataType.FLOAT ? out : out.castTo(DataType.FLOAT);
    }

    /**
     * Encoded-image input: class probabilities {@code [n, numClasses]} of JPEG/PNG images, preprocessed as the
     * bundle's metadata says.
     *
     * @throws org.resnetspark.data.image.CorruptImageException naming the image ("image #i") that cannot be
     *                                                          decoded
     */
    public INDArray predictEncoded(byte[]... images) {
        return predictTensor(preprocess(images));
    }

    /** The tensor {@link #predictEncoded} feeds the network. */
    public INDArray preprocess(byte[]... images) {
        int per = preprocessor.valuesPerImage();
        float[] values = new float[images.length * per];
        for (int i = 0; i < images.length; i++) {
            preprocessor.preprocess(images[i], "image #" + i, values, i * per);
        }
        return Nd4j.create(values, inputShape(images.length), 'c');
    }

    /** The {@code k} most probable classes of each row of {@code probabilities}, most probable first. */
    public List<List<Prediction>> topK(INDArray probabilities, int k) {
        int classes = (int) probabilities.size(1);
        int kk = Math.min(k, classes);
        List<List<Prediction>> all = new ArrayList<>();
        for (int r = 0; r < probabilities.size(0); r++) {
            float[] p = probabilities.getRow(r).toFloatVector();
            // ties broken by class index, so the order is deterministic
            Integer[] order = IntStream.range(0, classes).boxed().sorted(Comparator
                    .comparingDouble((Integer c) -> -p[c]).thenComparingInt(c -> c)).toArray(Integer[]::new);
            List<Prediction> row = new ArrayList<>(kk);
            for (int i = 0; i < kk; i++) {
                row.add(new Prediction(i + 1, order[i], classNames.get(order[i]), p[order[i]]));
            }
            all.add(row);
        }
        return all;
    }

    private static ResNetSpec specOf(JsonNode m) {
        return new ResNetSpec(DatasetFamily.parse(m.get("family").asText()), m.get("resnet_size").asInt(),
                ResNetVersion.parse(m.get("resnet_version").asText()), m.get("num_classes").asInt(),
                m.get("image_size").asInt(),
                m.get("data_format").asText().equals("channels_last") ? CNN2DFormat.NHWC : CNN2DFormat.NCHW,
                m.get("dtype").asText().equals("fp16") ? DataType.HALF : DataType.FLOAT);
    }
}
