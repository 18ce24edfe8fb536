package org.resnetspark.model;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The residual addition of the networks' blocks: an {@link ElementWiseVertex} adding its two inputs whose training
 * passes run in parallel ops ({@link ResidualAddImpl}) instead of DL4J's single-threaded copies.
 *
 * <p>Why: DL4J M2.1's element-wise vertex copies its first input before adding the second (forward) and duplicates
 * the gradient for each input (backward), and libnd4j makes those copies with one thread's {@code memcpy} while the
 * other OpenMP threads wait: 33 of 936 native-method samples of ResNet-20 training steps (2 threads). The values are
 * those of {@code ElementWiseVertex(Add)}, bit for bit.
 *
 * <p>Saved networks name this class in their configuration, so loading them needs it on the classpath.
 */
public final class ResidualAdd extends ElementWiseVertex {

    /** A residual addition; also what Jackson calls when a saved configuration is read. */
    public ResidualAdd() {
        super(Op.Add);
    }

    @Override
    public ResidualAdd clone() {
        return new ResidualAdd();
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        if (getOp() != Op.Add) {
            throw new IllegalStateException("vertex " + name + ": a ResidualAdd adds only, but its configuration"
                    + " names the op " + getOp());
        }
        return new ResidualAddImpl(graph, name, idx, networkDatatype);
    }
}
