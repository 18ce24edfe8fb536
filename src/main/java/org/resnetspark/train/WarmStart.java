package org.resnetspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.resnetspark.model.ResNetBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * How a run's network starts when its model directory has no checkpoint yet, with TensorFlow official
 * ResNet's transfer-learning semantics ({@code --pretrained_model_checkpoint_path}, {@code --fine_tune}).
 *
 * <p>Guarantees:
 * <ul>
 *   <li>Every layer except {@value ResNetBuilder#FINAL_DENSE} gets the pretrained checkpoint's parameters,
 *       batch-norm running mean and variance included; {@code final_dense} is built for this run's number of
 *       classes and initialized exactly as a fresh network with the run's seed would be. (TF's
 *       {@code WarmStartSettings(vars_to_warm_start='^(?!.*dense)')} warm-starts trainable variables only; the
 *       moving statistics are copied here too because a frozen trunk runs batch norm in inference mode and
 *       needs them.)</li>
 *   <li>The pretrained network must have this run's family, size, version and data format (parameter shapes,
 *       kernels and strides equal vertex by vertex); otherwise {@link UnusableCheckpointException} names both
 *       architectures. The image size may differ (global average pooling).</li>
 *   <li>With fine-tuning, every layer but {@code final_dense} is wrapped in DL4J's {@link FrozenLayer}: no
 *       gradients, no updater, no weight decay, and batch norm always in inference mode, so the trunk's
 *       parameters (running statistics included) stay bit-identical while the head trains.</li>
 *   <li>A checkpoint in the model directory wins over the pretrained path (a restarted run resumes instead of
 *       starting over), with a WARN log line; fine-tuning still applies to the resumed network.</li>
 * </ul>
 */
public final class WarmStart {

    private static final Logger LOG = LoggerFactory.getLogger(WarmStart.class);

    private final Path pretrained;
    private final Configuration hadoopConf;
    private final boolean fineTune;

    /** A pretrained checkpoint that cannot seed this run: missing, unreadable or another architecture. */
    public static final class UnusableCheckpointException extends IllegalArgumentException {
        public UnusableCheckpointException(String message) {
            super(message);
        }
    }

    private WarmStart(Path pretrained, Configuration hadoopConf, boolean fineTune) {
        this.pretrained = pretrained;
        this.hadoopConf = hadoopConf;
        this.fineTune = fineTune;
    }

    /** Fresh initialization, everything trainable: a run without transfer-learning flags. */
    public static WarmStart none() {
        return new WarmStart(null, new Configuration(), false);
    }

    /**
     * @param pretrained a checkpoint zip, or a model directory (its latest checkpoint); null for none
     * @param fineTune   freeze everything but {@code final_dense}
     */
    public static WarmStart of(String pretrained, boolean fineTune, Configuration hadoopConf) {
        return new WarmStart(pretrained == null ? null : new Path(pretrained), hadoopConf, fineTune);
    }

    public boolean fineTune() {
        return fineTune;
    }

    /**
     * The network a run without a checkpoint starts from: fresh, or warm-started from the pretrained
     * checkpoint; frozen but for {@code final_dense} when fine-tuning.
     *
     * @throws UnusableCheckpointException when the pretrained checkpoint cannot seed this architecture, or
     *                                     fine-tuning was asked for without one
     */
    public ComputationGraph initialNetwork(TrainSettings settings) throws IOException {
        ComputationGraph net = ResNetBuilder.of(settings.spec())
                .seed(settings.seed())
                .updater(new Momentum(settings.schedule(), settings.momentum(), settings.nesterov()))
                .weightDecay(settings.weightDecay())
                .batchNormDecay(settings.batchNormDecay())
                .zeroInitResidual(settings.zeroInitResidual())
                .build();
        if (pretrained == null) {
            if (fineTune) {
                throw new UnusableCheckpointException("--fine_tune needs --pretrained_model_checkpoint_path (or a"
                        + " checkpoint in --model_dir): it would freeze a randomly initialized trunk");
            }
            return net;
        }
        ComputationGraph source = load(pretrained);
        requireCompatible(net, source, settings);
        copyAllButFinalDense(source, net);
        LOG.info("warm start from {}: every layer but {} initialized from it{}", pretrained,
                ResNetBuilder.FINAL_DENSE, fineTune ? "; fine-tuning: only " + ResNetBuilder.FINAL_DENSE
                        + " trains" : "");
        return fineTune ? freezeAllButFinalDense(net) : net;
    }

    /**
     * The network a resumed run continues with: the restored one, frozen when fine-tuning (a no-op when its
     * checkpoint was written by a fine-tuning run). Logs a WARN when a pretrained path was given, since the
     * checkpoint wins over it.
     */
    public ComputationGraph resumed(ComputationGraph restored, Path checkpoint) {
        if (pretrained != null) {
            LOG.warn("--model_dir already holds checkpoint {}: resuming from it and ignoring"
                    + " --pretrained_model_checkpoint_path {}", checkpoint, pretrained);
        }
        return fineTune && !isFrozen(restored) ? freezeAllButFinalDense(restored) : restored;
    }

    /**
     * Wraps every layer that feeds {@code final_dense} in {@link FrozenLayer}; parameters are kept, and
     * {@code final_dense} keeps its own updater.
     */
    public static ComputationGraph freezeAllButFinalDense(ComputationGraph net) {
        return new TransferLearning.GraphBuilder(net).setFeatureExtractor(ResNetBuilder.FINAL_POOL).build();
    }

    /** True when the trunk's layers are frozen (the first convolution is, so all before the head are). */
    public static boolean isFrozen(ComputationGraph net) {
        GraphVertex v = net.getConfiguration().getVertices().get(ResNetBuilder.INITIAL_CONV);
        return v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer;
    }

    /** Copies every parameter (batch-norm running statistics included) of every layer but final_dense. */
    static void copyAllButFinalDense(ComputationGraph from, ComputationGraph to) {
        for (Layer layer : to.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (name.equals(ResNetBuilder.FINAL_DENSE)) {
                continue;
            }
            Map<String, INDArray> source = from.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                // assign writes into the flattened parameter view (and casts when the data types differ)
                p.getValue().assign(source.get(p.getKey()));
            }
        }
    }

    private void requireCompatible(ComputationGraph fresh, ComputationGraph source, TrainSettings settings) {
        var difference = ArchitectureProbe.firstDifference(fresh, source, ResNetBuilder.FINAL_DENSE);
        if (difference.isEmpty()) {
            return;
        }
        String theirs;
        try {
            theirs = "a " + ArchitectureProbe.describe(ArchitectureProbe.probe(source, settings.spec().imageSize()));
        } catch (IllegalArgumentException e) {
            theirs = "a network that is " + e.getMessage();
        }
        throw new UnusableCheckpointException("--pretrained_model_checkpoint_path " + pretrained + " holds " + theirs
                + ", but this run trains a " + ArchitectureProbe.describe(settings.spec())
                + "; a warm start needs the same family, size, version and data format (first difference: "
                + difference.get() + ")");
    }

    /** A checkpoint zip, or the latest checkpoint of a model directory; without updater state. */
    private ComputationGraph load(Path path) throws IOException {
        FileSystem fs = path.getFileSystem(hadoopConf);
        if (!fs.exists(path)) {
            throw new UnusableCheckpointException("--pretrained_model_checkpoint_path " + path + " does not exist");
        }
        Path zip = path;
        if (fs.getFileStatus(path).isDirectory()) {
            CheckpointStore store = new CheckpointStore(path, hadoopConf, Integer.MAX_VALUE);
            if (!store.hasCheckpoint()) {
                throw new UnusableCheckpointException("--pretrained_model_checkpoint_path " + path
                        + " is a directory without a checkpoint (no checkpoint.json)");
            }
            zip = store.latestEntry().orElseThrow().path();
        }
        try (InputStream in = fs.open(zip)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        } catch (IOException | RuntimeException e) {
            throw new UnusableCheckpointException("--pretrained_model_checkpoint_path " + zip
                    + " is not a readable DL4J checkpoint: " + String.valueOf(e.getMessage()).split("\n")[0]);
        }
    }
}
