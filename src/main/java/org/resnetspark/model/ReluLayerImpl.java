package org.resnetspark.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The layer {@link ReluLayer} configures. In training, the forward pass writes {@code max(0, x)} from the input into
 * a new activation array and the backward pass writes {@code step(x)} into a new gradient array and multiplies it by
 * epsilon in place: the same ops, in the same order, as {@link ReluActivation} on DL4J's copy of the input, without
 * the copy. Inference keeps DL4J's behaviour (in place on the input, which nothing else reads then).
 */
final class ReluLayerImpl extends ActivationLayer {

    ReluLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!training) {
            return super.activate(false, workspaceMgr);
        }
        assertInputSet(false);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(),
                input.ordering());
        Nd4j.getExecutioner().exec(new RectifiedLinear(input, out));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        if (!epsilon.equalShapes(input)) {
            throw new IllegalStateException("layer " + layerId() + ": epsilon " + epsilon.shapeInfoToString()
                    + " does not match the input " + input.shapeInfoToString());
        }
        INDArray delta = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape(),
                input.ordering());
        Nd4j.getExecutioner().exec(new Step(input, delta));
        delta.muli(epsilon);
        return new Pair<>(new DefaultGradient(), delta);
    }
}
