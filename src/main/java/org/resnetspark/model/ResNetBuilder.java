package org.resnetspark.model;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds every ResNet of the family (ImageNet 18..200, CIFAR 6n+2; versions 1_original, 1(.5), 2) as one
 * loop over the depth table. {@link ResNetVersion} decides where strides and BN/ReLU go.
 *
 * <p>Guarantees, for parity with TensorFlow's official ResNet: convolutions have no bias and use TensorFlow's
 * "fixed padding" (symmetric (k-1)/2, so strided convs match TF exactly); batch norm uses decay 0.997 and
 * epsilon 1e-5; projection shortcuts (1x1 conv, stride) appear exactly where the shape changes; the stem max
 * pool is 3x3/2 SAME. Vertex names are stable: {@value #INPUT}, {@value #INITIAL_CONV}, {@value #INITIAL_POOL}
 * (ImageNet only), {@code block_layer1..N} (the output of each stage), {@value #FINAL_POOL},
 * {@value #FINAL_DENSE}.
 */
public final class ResNetBuilder {

    /**
     * Keeps each convolution's output for its backward pass, which DL4J otherwise recomputes (a second forward
     * convolution per layer): ResNet-50 1.46x and ResNet-20 ~1.09x faster steps, same values.
     */
    public static final CacheMode CACHE_MODE = CacheMode.DEVICE;

    /**
     * Switches {@link #CACHE_MODE} on in {@code net} and in its configuration, which is what DL4J's Spark workers
     * build their copies from (for networks from checkpoints written before this builder set it).
     */
    public static void useConvolutionCache(ComputationGraph net) {
        ComputationGraphConfiguration conf = net.getConfiguration();
        conf.setCacheMode(CACHE_MODE);
        conf.getDefaultConfiguration().setCacheMode(CACHE_MODE);
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex layer) {
                layer.getLayerConf().setCacheMode(CACHE_MODE);
            }
        }
        net.setCacheMode(CACHE_MODE);
    }

    public static final String INPUT = "input";
    public static final String INITIAL_CONV = "initial_conv";
    public static final String INITIAL_POOL = "initial_max_pool";
    public static final String FINAL_POOL = "final_avg_pool";
    public static final String FINAL_DENSE = "final_dense";
    public static final double BN_DECAY = 0.997;
    public static final double BN_EPSILON = 1e-5;

    private final ResNetSpec spec;
    private long seed = 42;
    private IUpdater updater = new Nesterovs(0.1, 0.9);
    private double weightDecay = 0.0;
    private double batchNormDecay = BN_DECAY;
    private boolean zeroInitResidual;

    private ResNetBuilder(ResNetSpec spec) {
        this.spec = spec;
    }

    public static ResNetBuilder of(ResNetSpec spec) {
        return new ResNetBuilder(spec);
    }

    /** Seed of the weight initialization. */
    public ResNetBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The updater (optimizer) every trainable parameter uses. */
    public ResNetBuilder updater(IUpdater updater) {
        this.updater = updater;
        return this;
    }

    /**
     * L2 weight decay on conv and dense weights (the gradient gains {@code weightDecay * w}, as TensorFlow's
     * {@code weight_decay * tf.nn.l2_loss(w)}). Batch-norm parameters are never decayed.
     */
    public ResNetBuilder weightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
        return this;
    }

    /**
     * Decay of batch norm's moving mean and variance (TensorFlow's 0.997 by default). The moving averages are
     * what evaluation uses; at 0.997 they need ~1000 steps to forget their initial values, so runs of a few
     * hundred steps evaluate better with a faster decay such as 0.9.
     */
    public ResNetBuilder batchNormDecay(double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("Invalid batch_norm_decay " + decay + ": expected in (0, 1)");
        }
        this.batchNormDecay = decay;
        return this;
    }

    /**
     * Start every residual branch's last batch norm with gamma 0 (Goyal et al. 2017, torchvision's
     * {@code zero_init_residual}), so each block begins as its shortcut. Only v1 and v1.5 blocks end in batch norm.
     *
     * @throws IllegalArgumentException for a pre-activation (v2) network
     */
    public ResNetBuilder zeroInitResidual(boolean zero) {
        if (zero && spec.version().preActivation()) {
            throw new IllegalArgumentException("zero_init_residual needs ResNet v1 or v1.5: v2 blocks end in a"
                    + " convolution, not batch norm");
        }
        this.zeroInitResidual = zero;
        return this;
    }

    /** The network's input: {@code imageSize x imageSize x 3} in the spec's layout. */
    public InputType inputType() {
        return InputType.convolutional(spec.imageSize(), spec.imageSize(), 3, spec.format());
    }

    /** An initialized network. */
    public ComputationGraph build() {
        ComputationGraph graph = new ComputationGraph(configuration());
        graph.init();
        return graph;
    }

    /** The configuration, with every layer's input size resolved. */
    public ComputationGraphConfiguration configuration() {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(spec.dataType())
                .updater(updater)
                .weightInit(WeightInit.VAR_SCALING_NORMAL_FAN_IN)
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .cacheMode(CACHE_MODE);
        if (weightDecay > 0) {
            base.l2(weightDecay);
        }
        Graph g = new Graph(base.graphBuilder(), spec.format(), batchNormDecay, zeroInitResidual);
        g.b.addInputs(INPUT).setInputTypes(inputType());

        ResNetDepth depth = spec.depth();
        ResNetVersion version = spec.version();
        String x;
        if (spec.family() == DatasetFamily.IMAGENET) {
            x = g.conv(INITIAL_CONV, INPUT, 7, 2, 64);
            if (!version.preActivation()) {
                x = g.bnRelu(INITIAL_CONV, x);
            }
            g.b.addLayer(INITIAL_POOL, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {3, 3}, new int[] {2, 2})
                    .convolutionMode(ConvolutionMode.Same).dataFormat(spec.format()).build(), x);
            x = INITIAL_POOL;
        } else {
            x = g.conv(INITIAL_CONV, INPUT, 3, 1, 16);
            if (!version.preActivation()) {
                x = g.bnRelu(INITIAL_CONV, x);
            }
        }

        int inChannels = spec.family() == DatasetFamily.IMAGENET ? 64 : 16;
        for (int stage = 0; stage < depth.stages(); stage++) {
            int outChannels = depth.stageOutChannels(stage);
            for (int block = 0; block < depth.blocksPerStage()[stage]; block++) {
                int stride = block == 0 ? depth.stageStrides()[stage] : 1;
                boolean project = stride != 1 || inChannels != outChannels;
                String name = "block_layer" + (stage + 1) + "_block" + (block + 1);
                boolean last = block == depth.blocksPerStage()[stage] - 1;
                String out = last ? "block_layer" + (stage + 1) : name + "_out";
                x = depth.bottleneck()
                        ? g.bottleneck(name, x, depth.stageFilters()[stage], stride, project, version, out)
                        : g.basic(name, x, depth.stageFilters()[stage], stride, project, version, out);
                inChannels = outChannels;
            }
        }
        if (version.preActivation()) {
            x = g.bnRelu("final", x);
        }
        g.b.addLayer(FINAL_POOL, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        g.b.addLayer(FINAL_DENSE, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .weightInit(WeightInit.XAVIER_UNIFORM)
                .nOut(spec.numClasses())
                .build(), FINAL_POOL);
        g.b.setOutputs(FINAL_DENSE);
        return g.b.build();
    }

    /** Small vocabulary over the graph builder; each method returns the name of the vertex it added. */
    private static final class Graph {
        final ComputationGraphConfiguration.GraphBuilder b;
        final CNN2DFormat format;
        final double batchNormDecay;
        final boolean zeroInitResidual;

        Graph(ComputationGraphConfiguration.GraphBuilder b, CNN2DFormat format, double batchNormDecay,
              boolean zeroInitResidual) {
            this.b = b;
            this.format = format;
            this.batchNormDecay = batchNormDecay;
            this.zeroInitResidual = zeroInitResidual;
        }

        String conv(String name, String in, int k, int stride, int filters) {
            b.addLayer(name, new ConvolutionLayer.Builder(k, k)
                    .stride(stride, stride)
                    .padding(k / 2, k / 2)
                    .nOut(filters)
                    .hasBias(false)
                    .activation(Activation.IDENTITY)
                    .dataFormat(format)
                    .build(), in);
            return name;
        }

        String bn(String name, String in) {
            return bn(name, in, 1);
        }

        String bn(String name, String in, double gamma) {
            b.addLayer(name, new BatchNormalization.Builder()
                    .decay(batchNormDecay).eps(BN_EPSILON).gamma(gamma).dataFormat(format).build(), in);
            return name;
        }

        /** The batch norm that ends a v1 residual branch. */
        String branchEndBn(String name, String in) {
            return bn(name, in, zeroInitResidual ? 0 : 1);
        }

        String relu(String name, String in) {
            b.addLayer(name, new ReluLayer(), in);
            return name;
        }

        String bnRelu(String prefix, String in) {
            return relu(prefix + "_relu", bn(prefix + "_bn", in));
        }

        String add(String name, String a, String c) {
            b.addVertex(name, new ResidualAdd(), a, c);
            return name;
        }

        /** A block's output vertex is named {@code out}: the stage's last block names the stage. */
        String basic(String name, String in, int filters, int stride, boolean project, ResNetVersion v,
                     String out) {
            if (v.preActivation()) {
                String pre = bnRelu(name + "_pre", in);
                String shortcut = project ? conv(name + "_shortcut", pre, 1, stride, filters) : in;
                String y = conv(name + "_conv1", pre, 3, stride, filters);
                y = bnRelu(name + "_conv1", y);
                y = conv(name + "_conv2", y, 3, 1, filters);
                return add(out, y, shortcut);
            }
            String shortcut = project ? bn(name + "_shortcut_bn", conv(name + "_shortcut", in, 1, stride, filters))
                    : in;
            String y = bnRelu(name + "_conv1", conv(name + "_conv1", in, 3, stride, filters));
            y = branchEndBn(name + "_conv2_bn", conv(name + "_conv2", y, 3, 1, filters));
            return relu(out, add(name + "_add", y, shortcut));
        }

        String bottleneck(String name, String in, int filters, int stride, boolean project, ResNetVersion v,
                          String out) {
            int first = v.strideOnFirst1x1() ? stride : 1;
            int middle = v.strideOnFirst1x1() ? 1 : stride;
            if (v.preActivation()) {
                String pre = bnRelu(name + "_pre", in);
                String shortcut = project ? conv(name + "_shortcut", pre, 1, stride, 4 * filters) : in;
                String y = bnRelu(name + "_conv1", conv(name + "_conv1", pre, 1, first, filters));
                y = bnRelu(name + "_conv2", conv(name + "_conv2", y, 3, middle, filters));
                y = conv(name + "_conv3", y, 1, 1, 4 * filters);
                return add(out, y, shortcut);
            }
            String shortcut = project
                    ? bn(name + "_shortcut_bn", conv(name + "_shortcut", in, 1, stride, 4 * filters)) : in;
            String y = bnRelu(name + "_conv1", conv(name + "_conv1", in, 1, first, filters));
            y = bnRelu(name + "_conv2", conv(name + "_conv2", y, 3, middle, filters));
            y = branchEndBn(name + "_conv3_bn", conv(name + "_conv3", y, 1, 1, 4 * filters));
            return relu(out, add(name + "_add", y, shortcut));
        }
    }
}
