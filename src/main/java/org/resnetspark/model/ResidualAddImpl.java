package org.resnetspark.model;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The vertex {@link ResidualAdd} configures. For two inputs of the same shape and the network's data type (every
 * residual add of these networks), the forward pass writes {@code a + b} into a new array in one pairwise op, and the
 * backward pass gives each input its own copy of the gradient, made by multiplying by 1 (exact for every float,
 * and parallel, unlike libnd4j's copy). Anything else goes to DL4J's implementation.
 */
final class ResidualAddImpl extends ElementWiseVertex {

    ResidualAddImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, Op.Add, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Cannot do forward pass: inputs not set");
        }
        if (!twoOfTheSameShape()) {
            return super.doForward(training, workspaceMgr);
        }
        INDArray sum = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, inputs[0].shape());
        Nd4j.exec(new AddOp(inputs[0], inputs[1], sum));
        return sum;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Cannot do backward pass: errors not set");
        }
        if (!twoOfTheSameShape()) {
            return super.doBackward(tbptt, workspaceMgr);
        }
        INDArray[] out = new INDArray[2];
        for (int i = 0; i < out.length; i++) {
            out[i] = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(),
                    epsilon.ordering());
            Nd4j.exec(new ScalarMultiplication(epsilon, null, out[i], 1.0));
        }
        return new Pair<>(null, out);
    }

    /** The case this vertex computes itself; decided from the inputs, which the backward pass still holds. */
    private boolean twoOfTheSameShape() {
        return inputs.length == 2 && inputs[0].equalShapes(inputs[1]) && inputs[0].dataType() == dataType
                && inputs[1].dataType() == dataType;
    }
}
