package org.resnetspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * The networks' ReLU layers: an {@link ActivationLayer} with {@link ReluActivation} whose training passes write
 * their result into a new array in one parallel op ({@link ReluLayerImpl}) instead of copying the input first.
 *
 * <p>Why: DL4J M2.1's activation layer duplicates its input in both passes (the activation then works in place on
 * the copy), and libnd4j makes that copy with one thread's {@code memcpy} while the other OpenMP threads wait. In a
 * profile of ResNet-20 training steps (2 threads, AMD EPYC with AVX-512) these two copies were 4.6% of the main
 * thread's native time. The values are those of {@code ActivationLayer} with {@code ReluActivation}, bit for bit.
 *
 * <p>Saved networks name this class in their configuration, so loading them needs it on the classpath (as they need
 * {@link ReluActivation}).
 */
public final class ReluLayer extends ActivationLayer {

    /** A ReLU layer; also what Jackson calls when a saved configuration is read. */
    public ReluLayer() {
        super(new ReluActivation());
    }

    @Override
    public ReluLayer clone() {
        return (ReluLayer) super.clone();
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        if (!(getActivationFn() instanceof ReluActivation)) {
            throw new IllegalStateException("layer " + getLayerName() + ": a ReluLayer computes ReLU only, but its"
                    + " configuration names the activation " + getActivationFn());
        }
        ReluLayerImpl ret = new ReluLayerImpl(conf, networkDataType);
        ret.setListeners(trainingListeners);
        ret.setIndex(layerIndex);
        ret.setParamsViewArray(layerParamsView);
        ret.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        ret.setConf(conf);
        return ret;
    }
}
