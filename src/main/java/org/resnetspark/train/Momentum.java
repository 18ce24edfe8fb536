package org.resnetspark.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * Heavy-ball momentum exactly as TensorFlow's {@code MomentumOptimizer} (which the official ResNet uses):
 * {@code accum = momentum * accum + grad; param -= lr * accum}; with Nesterov's variant (TensorFlow's
 * {@code use_nesterov}, PyTorch's {@code nesterov=True}) {@code param -= lr * (grad + momentum * accum)}. DL4J only
 * ships its own Nesterov momentum, whose velocity also absorbs the learning rate; that makes a decayed rate act late,
 * unlike TensorFlow.
 */
public final class Momentum implements IUpdater {

    private double learningRate;
    private ISchedule learningRateSchedule;
    private double momentum;
    /** Absent (false) in configurations written before it existed. */
    private boolean nesterov;

    /** For Jackson (DL4J serializes updaters inside the network configuration). */
    private Momentum() {
    }

    public Momentum(ISchedule learningRateSchedule, double momentum) {
        this(learningRateSchedule, momentum, false);
    }

    /** @param nesterov step along {@code grad + momentum * accum} instead of {@code accum} */
    public Momentum(ISchedule learningRateSchedule, double momentum, boolean nesterov) {
        this.learningRate = Double.NaN;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    public Momentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double momentum() {
        return momentum;
    }

    public boolean nesterov() {
        return nesterov;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater u = new Updater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public IUpdater clone() {
        Momentum m = new Momentum(learningRate, momentum);
        m.nesterov = nesterov;
        m.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        return m;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Momentum m && Double.compare(m.learningRate, learningRate) == 0
                && m.momentum == momentum && m.nesterov == nesterov
                && Objects.equals(m.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, nesterov, learningRateSchedule);
    }

    @Override
    public String toString() {
        return (nesterov ? "NesterovMomentum(" : "Momentum(") + momentum + ", "
                + (learningRateSchedule != null ? learningRateSchedule : learningRate) + ")";
    }

    /** The per-block state: one accumulator per parameter. */
    static final class Updater implements GradientUpdater<Momentum> {
        static final String ACCUM = "accum";
        private final Momentum config;
        private INDArray accum;

        Updater(Momentum config) {
            this.config = config;
        }

        @Override
        public Momentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            if (!stateMap.containsKey(ACCUM) || stateMap.size() != 1) {
                throw new IllegalStateException("Momentum state must hold only [" + ACCUM + "]: " + stateMap.keySet());
            }
            accum = stateMap.get(ACCUM);
            if (initialize) {
                accum.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Collections.singletonMap(ACCUM, accum);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder,
                                      boolean initialize) {
            if (initialize) {
                viewArray.assign(0);
            }
            accum = Shape.newShapeNoCopy(viewArray, gradientShape, gradientOrder == 'f');
            if (accum == null) {
                throw new IllegalStateException("could not reshape the momentum state to the gradient's shape");
            }
        }

        /**
         * Turns the gradient into the step DL4J subtracts: {@code lr * accum} after {@code accum = momentum * accum
         * + grad}; with Nesterov {@code lr * (grad + momentum * accum)}.
         */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            INDArray g = gradient.reshape(accum.shape());
            accum.muli(config.momentum).addi(g);
            if (config.nesterov) {
                // g += momentum * accum in place: a temporary would be parameter-sized (100 MB for ResNet-50)
                Nd4j.exec(new Axpy(accum, g, g, config.momentum));
                g.muli(lr);
            } else {
                g.assign(accum).muli(lr);
            }
        }
    }
}
