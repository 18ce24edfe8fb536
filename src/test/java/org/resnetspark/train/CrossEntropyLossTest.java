package org.resnetspark.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossEntropyLossTest {

    @Test
    void meanOverExamplesMergedAcrossPartitions() {
        CrossEntropyLoss a = new CrossEntropyLoss();
        a.eval(Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}}),
                Nd4j.createFromArray(new float[][] {{0.7f, 0.2f, 0.1f}, {0.5f, 0.25f, 0.25f}}));
        CrossEntropyLoss b = new CrossEntropyLoss();
        b.eval(Nd4j.createFromArray(new float[][] {{0, 0, 1}}), Nd4j.createFromArray(new float[][] {{0.1f, 0.1f, 0.8f}}));
        a.merge(b);
        double expected = -(Math.log(0.7) + Math.log(0.25) + Math.log(0.8)) / 3;
        assertEquals(3, a.count());
        assertEquals(expected, a.mean(), 1e-6);
    }

    @Test
    void zeroProbabilityOfTheTrueClassGivesLargeFiniteLoss() {
        CrossEntropyLoss l = new CrossEntropyLoss();
        l.eval(Nd4j.createFromArray(new float[][] {{1, 0}}).castTo(DataType.FLOAT),
                Nd4j.createFromArray(new float[][] {{0, 1}}));
        assertTrue(Double.isFinite(l.mean()) && l.mean() > 20, "clipped at 1e-12: " + l.mean());
    }
}
