package org.resnetspark.train;

import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TopKAccuracyTest {

    @Test
    void labelRankedByProbabilityMergedAcrossPartitions() {
        TopKAccuracy a = new TopKAccuracy(2);
        // label 0 ranked 1st, label 1 ranked 3rd
        a.eval(Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 1, 0}}),
                Nd4j.createFromArray(new float[][] {{0.7f, 0.2f, 0.1f}, {0.5f, 0.1f, 0.4f}}));
        TopKAccuracy b = new TopKAccuracy(2);
        // label 2 ranked 2nd
        b.eval(Nd4j.createFromArray(new float[][] {{0, 0, 1}}), Nd4j.createFromArray(new float[][] {{0.6f, 0.1f, 0.3f}}));
        a.merge(b);
        assertEquals(3, a.count());
        assertEquals(2.0 / 3, a.accuracy(), 1e-12);
    }

    /** The saturated softmax of an untrained network: DL4J's Evaluation calls this a top-5 hit, we do not. */
    @Test
    void labelTiedWithManyClassesAtZeroIsNotATopFiveHit() {
        float[][] p = new float[2][1000];
        p[0][17] = 1f;  // label 3: probability 0, tied with 998 other classes
        p[1][3] = 1f;   // label 3: certain
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 1000);
        labels.putScalar(0, 3, 1);
        labels.putScalar(1, 3, 1);
        INDArray predictions = Nd4j.createFromArray(p);

        TopKAccuracy top5 = new TopKAccuracy(5);
        top5.eval(labels, predictions);
        Evaluation dl4j = new Evaluation(names(1000), 5);
        dl4j.eval(labels, predictions);

        assertEquals(0.5, top5.accuracy(), 1e-12);
        assertEquals(1.0, dl4j.topNAccuracy(), 1e-12, "DL4J's behaviour this class exists to avoid");
    }

    @Test
    void agreesWithDl4jWhenThereAreNoTies() {
        Random r = new Random(7);
        int rows = 200;
        int classes = 33;
        float[][] logits = new float[rows][classes];
        INDArray labels = Nd4j.zeros(DataType.FLOAT, rows, classes);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < classes; c++) {
                logits[i][c] = (float) r.nextGaussian();
            }
            labels.putScalar(i, r.nextInt(classes), 1);
        }
        INDArray predictions = Transforms.softmax(Nd4j.createFromArray(logits));
        TopKAccuracy top5 = new TopKAccuracy(5);
        top5.eval(labels, predictions);
        Evaluation dl4j = new Evaluation(names(classes), 5);
        dl4j.eval(labels, predictions);
        assertEquals(dl4j.topNAccuracy(), top5.accuracy(), 1e-12);
    }

    private static List<String> names(int classes) {
        return IntStream.range(0, classes).mapToObj(c -> "class " + c).toList();
    }
}
