package org.resnetspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;

import java.util.Map;

/**
 * Native (off-heap) memory one training worker needs, estimated from the architecture alone, so a
 * configuration that cannot fit is rejected before Spark starts tasks that YARN or Kubernetes would kill.
 *
 * <p>Model: DL4J keeps every vertex's activation for the backward pass and allocates a gradient of the same
 * size ({@value #ACTIVATION_COPIES} copies per element), plus one more copy of every convolution's output (cached
 * for its backward pass, {@code CacheMode.DEVICE}); parameters are held as weights, gradients, momentum
 * and the training master's copy for averaging or the encoded-update residual ({@value #PARAMETER_COPIES}
 * copies); on top comes a fixed allowance for libnd4j/oneDNN scratch and the input pipeline's prefetched
 * minibatches. It is an estimate for a fail-fast check, deliberately on the generous side of measured use.
 *
 * @param activationBytes bytes of activations and their gradients for one minibatch
 * @param parameterBytes  bytes of parameters, gradients and optimizer/training-master state
 * @param inputBytes      bytes of the prefetched input minibatches
 */
public record MemoryEstimate(long activationBytes, long parameterBytes, long inputBytes) {

    static final int ACTIVATION_COPIES = 2;
    static final int PARAMETER_COPIES = 4;
    static final int PREFETCHED_BATCHES = 3;
    static final long SCRATCH_BYTES = 256L << 20;

    /** The estimate for {@code spec} trained with {@code batchPerWorker} images per worker and step. */
    public static MemoryEstimate of(ResNetSpec spec, int batchPerWorker) {
        ResNetBuilder builder = ResNetBuilder.of(spec);
        ComputationGraphConfiguration conf = builder.configuration();
        long bytesPerElement = spec.dataType().width();
        long activations = 0;
        long cachedConvOutputs = 0;
        for (Map.Entry<String, long[]> e : ModelSummary.vertexShapes(conf, builder.inputType()).entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            activations += n;
            if (conf.getVertices().get(e.getKey()) instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof ConvolutionLayer) {
                cachedConvOutputs += n;
            }
        }
        long params = 0;
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv) {
                params += lv.getLayerConf().getLayer().initializer().numParams(lv.getLayerConf());
            }
        }
        InputType in = builder.inputType();
        long inputElements = in.arrayElementsPerExample() + spec.numClasses();
        long activationElements = ACTIVATION_COPIES * activations + cachedConvOutputs;
        return new MemoryEstimate(activationElements * batchPerWorker * bytesPerElement,
                PARAMETER_COPIES * params * 4L, PREFETCHED_BATCHES * inputElements * batchPerWorker * 4L);
    }

    /** Bytes of {@code batches} minibatches of {@code batchPerWorker} examples held serialized (features + labels). */
    public static long minibatchBytes(ResNetSpec spec, int batchPerWorker, long batches) {
        long elements = ResNetBuilder.of(spec).inputType().arrayElementsPerExample() + spec.numClasses();
        return elements * 4L * batchPerWorker * batches;
    }

    /** Everything one worker needs, including the fixed scratch allowance. */
    public long totalBytes() {
        return activationBytes + parameterBytes + inputBytes + SCRATCH_BYTES;
    }

    /** E.g. "9.3 GiB (activations 8.1 GiB, parameters and optimizer state 0.4 GiB, input 0.5 GiB, scratch ...)". */
    public String describe() {
        return gib(totalBytes()) + " (activations " + gib(activationBytes) + ", parameters and optimizer state "
                + gib(parameterBytes) + ", prefetched input " + gib(inputBytes) + ", scratch " + gib(SCRATCH_BYTES)
                + ")";
    }

    public static String gib(long bytes) {
        return String.format("%.1f GiB", bytes / (double) (1L << 30));
    }
}
