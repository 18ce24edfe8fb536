package org.resnetspark.ml;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.resnetspark.serve.ExportedModel;
import scala.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A trained ResNet as a Spark ML {@code Model}: {@link #transform} adds to a DataFrame of encoded JPEG/PNG
 * images ({@link #imageCol()}) three columns: {@link #predictionCol()} (double, the most probable 0-based class),
 * {@link #probabilityCol()} (an ml {@code Vector} of softmax probabilities) and {@link #topKCol()}
 * ({@code array<int>}, the {@link #topK()} most probable classes, best first). Images get the network's own eval
 * preprocessing (that of its resnet-spark bundle: ImageNet eval crop or CIFAR standardization). An image that is
 * null or cannot be decoded gets null in the three columns; each is logged at WARN and each partition logs its
 * count.
 *
 * <p>Scoring: the network's bytes are broadcast once; each executor thread loads the network once per model and
 * scores its partitions in batches of {@link #inferenceBatchSize()}.
 *
 * <p>Persistence ({@link #write()}, {@link #load(String)}): {@code path/metadata/} holds Spark's
 * DefaultParamsWriter JSON (class, timestamp, sparkVersion, uid, paramMap, defaultParamMap); {@code path/data/}
 * is a resnet-spark bundle ({@code model.zip}: DL4J ModelSerializer, no updater; {@code metadata.json}), so
 * {@code resnet-spark predict --export_dir path/data} serves the same network.
 */
public final class ResNetClassificationModel extends Model<ResNetClassificationModel> implements MLWritable {

    private static final long serialVersionUID = 1L;
    /** The last network an executor thread loaded, keyed by model uid and broadcast id. */
    private static final ThreadLocal<Object[]> LOADED = new ThreadLocal<>();

    private final String uid;
    private final byte[] network;
    private final byte[] bundleMetadata;
    private transient ExportedModel local;

    private final Param<String> imageCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> topKCol;
    private final IntParam topK;
    private final IntParam inferenceBatchSize;

    /**
     * @param network        a DL4J ModelSerializer zip of the ComputationGraph (as in a bundle's model.zip)
     * @param bundleMetadata the bundle's metadata.json (architecture, classes, preprocessing)
     */
    public ResNetClassificationModel(String uid, byte[] network, byte[] bundleMetadata) {
        this.uid = uid;
        this.network = network.clone();
        this.bundleMetadata = bundleMetadata.clone();
        imageCol = SharedParams.imageCol(this);
        predictionCol = SharedParams.predictionCol(this);
        probabilityCol = SharedParams.probabilityCol(this);
        topKCol = SharedParams.topKCol(this);
        topK = SharedParams.topK(this);
        inferenceBatchSize = SharedParams.inferenceBatchSize(this);
        SharedParams.setPredictionDefaults(this, imageCol, predictionCol, probabilityCol, topKCol, topK,
                inferenceBatchSize);
    }

    /** A model of an exported bundle's two files, with a fresh uid. */
    public static ResNetClassificationModel fromBundle(byte[] network, byte[] bundleMetadata) {
        return new ResNetClassificationModel(Identifiable$.MODULE$.randomUID("ResNetClassificationModel"), network,
                bundleMetadata);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> imageCol() {
        return imageCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> topKCol() {
        return topKCol;
    }

    public IntParam topK() {
        return topK;
    }

    public IntParam inferenceBatchSize() {
        return inferenceBatchSize;
    }

    public String getImageCol() {
        return getOrDefault(imageCol);
    }

    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    public String getTopKCol() {
        return getOrDefault(topKCol);
    }

    public int getTopK() {
        return (Integer) getOrDefault(topK);
    }

    public int getInferenceBatchSize() {
        return (Integer) getOrDefault(inferenceBatchSize);
    }

    public ResNetClassificationModel setImageCol(String v) {
        set(imageCol, v);
        return this;
    }

    public ResNetClassificationModel setPredictionCol(String v) {
        set(predictionCol, v);
        return this;
    }

    public ResNetClassificationModel setProbabilityCol(String v) {
        set(probabilityCol, v);
        return this;
    }

    public ResNetClassificationModel setTopKCol(String v) {
        set(topKCol, v);
        return this;
    }

    public ResNetClassificationModel setTopK(int v) {
        set(topK, v);
        return this;
    }

    public ResNetClassificationModel setInferenceBatchSize(int v) {
        set(inferenceBatchSize, v);
        return this;
    }

    /** The network and its metadata, loaded on the driver (once). */
    public synchronized ExportedModel bundle() {
        if (local == null) {
            try {
                local = ExportedModel.fromBytes(network, bundleMetadata);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return local;
    }

    /** Class names by index (from the bundle; {@code class_<i>} when training had none). */
    public List<String> classNames() {
        return bundle().classNames();
    }

    /** Number of output classes. */
    public int numClasses() {
        return bundle().spec().numClasses();
    }

    @Override
    public StructType transformSchema(StructType schema) {
        ImageColumns.requireImage(schema, "imageCol", getImageCol());
        return ImageColumns.withPredictions(schema, getPredictionCol(), getProbabilityCol(), getTopKCol());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema(), true);
        Dataset<Row> df = dataset.toDF();
        int imageIndex = df.schema().fieldIndex(getImageCol());
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        Broadcast<byte[][]> payload = sc.broadcast(new byte[][] {network, bundleMetadata});
        String key = uid;
        int batch = getInferenceBatchSize();
        int k = getTopK();
        JavaRDD<Row> scored = df.javaRDD().mapPartitions(it -> it.hasNext()
                ? new BatchScorer(loaded(key, payload), it, imageIndex, batch, k) : it);
        return df.sparkSession().createDataFrame(scored, out);
    }

    /** The network of {@code payload}, loaded at most once per executor thread (a DL4J network is not thread-safe). */
    private static ExportedModel loaded(String uid, Broadcast<byte[][]> payload) throws IOException {
        String key = uid + "#" + payload.id();
        Object[] cached = LOADED.get();
        if (cached != null && cached[0].equals(key)) {
            return (ExportedModel) cached[1];
        }
        byte[][] bytes = payload.value();
        ExportedModel model = ExportedModel.fromBytes(bytes[0], bytes[1]);
        LOADED.set(new Object[] {key, model});
        return model;
    }

    @Override
    public ResNetClassificationModel copy(ParamMap extra) {
        ResNetClassificationModel copy = new ResNetClassificationModel(uid, network, bundleMetadata);
        copyValues(copy, extra);
        return copy.setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<ResNetClassificationModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved with {@code write().save(path)}.
     *
     * @throws UncheckedIOException when the data files cannot be read
     */
    public static ResNetClassificationModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final ResNetClassificationModel model;

        Writer(ResNetClassificationModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            Path data = new Path(path, "data");
            try {
                FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
                fs.mkdirs(data);
                write(fs, new Path(data, ExportedModel.NETWORK_FILE), model.network);
                write(fs, new Path(data, ExportedModel.METADATA_FILE), model.bundleMetadata);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the network to " + data, e);
            }
        }

        private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
            try (OutputStream o = fs.create(file, true)) {
                o.write(bytes);
            }
        }
    }

    private static final class Reader extends MLReader<ResNetClassificationModel> {
        @Override
        public ResNetClassificationModel load(String path) {
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sc(),
                    ResNetClassificationModel.class.getName());
            Path data = new Path(path, "data");
            ResNetClassificationModel model;
            try {
                FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
                model = new ResNetClassificationModel(meta.uid(), read(fs, new Path(data, ExportedModel.NETWORK_FILE)),
                        read(fs, new Path(data, ExportedModel.METADATA_FILE)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the network from " + data, e);
            }
            meta.getAndSetParams(model, Option.empty());
            return model;
        }

        private static byte[] read(FileSystem fs, Path file) throws IOException {
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            }
        }
    }
}
