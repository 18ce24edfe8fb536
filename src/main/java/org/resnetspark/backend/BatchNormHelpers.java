package org.resnetspark.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

import java.lang.reflect.Field;
import java.util.function.Supplier;

/**
 * Puts {@link PlanarBatchNormHelper} in place of DL4J's oneDNN batch-norm helper in a network's layers.
 *
 * <p>DL4J creates a layer's helper itself, by class name, when the layer is built (also inside its Spark training
 * workers), and keeps it in a package-private field; there is no configuration for it. So the network is patched
 * after it is built, by reflection on that field, where our code first sees each training network: the
 * {@code TrainingHook} of parameter-averaging workers, the listener of gradient-sharing workers, the benchmark.
 * Layers whose helper is not DL4J's oneDNN one (helpers disabled, the CUDA build's cuDNN helper) are left alone,
 * so the choice between the built-in path, oneDNN and cuDNN stays DL4J's. The saved configuration does not change:
 * checkpoints and exported models remain plain DL4J models. {@code -Dresnet.spark.batchnorm=dl4j} (on executors: in
 * {@code spark.executor.extraJavaOptions}) switches it off.
 */
public final class BatchNormHelpers {

    /** System property; {@code dl4j} keeps DL4J's own oneDNN helper everywhere ({@link #install} does nothing). */
    public static final String PROPERTY = "resnet.spark.batchnorm";

    private static final Field HELPER = helperField();

    private BatchNormHelpers() {
    }

    /**
     * Replaces DL4J's oneDNN batch-norm helper in every layer of {@code model} that has one. Idempotent; call it
     * between minibatches, not between a forward pass and its backward pass (the helper keeps the batch statistics).
     *
     * @return how many layers now use {@link PlanarBatchNormHelper}
     */
    public static int install(Model model) {
        return install(model, PlanarBatchNormHelper::new);
    }

    /** {@link #install(Model)} with helpers from {@code helpers} (tests choose the native kernels or ND4J ops). */
    static int install(Model model, Supplier<PlanarBatchNormHelper> helpers) {
        if (!enabled()) {
            return 0;
        }
        Layer[] layers = model instanceof ComputationGraph g ? g.getLayers()
                : model instanceof MultiLayerNetwork n ? n.getLayers() : new Layer[0];
        int planar = 0;
        for (Layer layer : layers) {
            if (layer instanceof BatchNormalization bn) {
                if (bn.getHelper() instanceof MKLDNNBatchNormHelper) {
                    set(bn, helpers.get());
                }
                if (bn.getHelper() instanceof PlanarBatchNormHelper) {
                    planar++;
                }
            }
        }
        return planar;
    }

    /** False when {@value #PROPERTY} is {@code dl4j}. */
    public static boolean enabled() {
        return !"dl4j".equalsIgnoreCase(System.getProperty(PROPERTY, "planar").trim());
    }

    private static void set(BatchNormalization layer, BatchNormalizationHelper helper) {
        try {
            HELPER.set(layer, helper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set the batch-norm helper of DL4J layer " + layer.getIndex(), e);
        }
    }

    private static Field helperField() {
        try {
            Field f = BatchNormalization.class.getDeclaredField("helper");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's BatchNormalization layer has no 'helper' field; this DL4J "
                    + "version is not the one resnet-spark was built against", e);
        }
    }
}
