package org.resnetspark.ml;

import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.serve.ExportedModel;
import org.resnetspark.serve.Prediction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.JavaConverters;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * One partition's rows with three columns appended (prediction, probability, top-k), scored lazily in batches
 * of {@code batchSize} through one network call each. A row whose image is null or cannot be decoded gets null
 * in all three columns and a WARN line; the partition's count of such rows is logged when it ends. Testable
 * without Spark.
 */
final class BatchScorer implements Iterator<Row> {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

    private final ExportedModel model;
    private final Iterator<Row> rows;
    private final int imageIndex;
    private final int batchSize;
    private final int k;
    private final ArrayDeque<Row> ready = new ArrayDeque<>();
    private long seen;
    private long unreadable;
    private boolean reported;

    BatchScorer(ExportedModel model, Iterator<Row> rows, int imageIndex, int batchSize, int k) {
        this.model = model;
        this.rows = rows;
        this.imageIndex = imageIndex;
        this.batchSize = batchSize;
        this.k = k;
    }

    /** Rows scored so far whose image could not be read. */
    long unreadable() {
        return unreadable;
    }

    @Override
    public boolean hasNext() {
        if (ready.isEmpty() && rows.hasNext()) {
            scoreBatch();
        }
        if (ready.isEmpty() && !reported) {
            reported = true;
            if (unreadable > 0) {
                LOG.warn("{} of {} images in this partition could not be decoded; their prediction columns are null",
                        unreadable, seen);
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public Row next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return ready.poll();
    }

    private void scoreBatch() {
        int per = model.preprocessor().valuesPerImage();
        float[] values = new float[batchSize * per];
        List<Row> batch = new ArrayList<>(batchSize);
        int[] slot = new int[batchSize];
        int good = 0;
        while (batch.size() < batchSize && rows.hasNext()) {
            Row r = rows.next();
            String source = "row " + seen++;
            int i = batch.size();
            batch.add(r);
            slot[i] = -1;
            if (r.isNullAt(imageIndex)) {
                LOG.warn("{}: null image", source);
                unreadable++;
                continue;
            }
            try {
                model.preprocessor().preprocess((byte[]) r.get(imageIndex), source, values, good * per);
                slot[i] = good++;
            } catch (RuntimeException e) { // CorruptImageException, or bytes that are no image at all
                LOG.warn("{}: unreadable image: {}", source, e.getMessage());
                unreadable++;
            }
        }
        INDArray probabilities = null;
        List<List<Prediction>> top = List.of();
        if (good > 0) {
            probabilities = model.predictTensor(Nd4j.create(Arrays.copyOf(values, good * per),
                    model.inputShape(good), 'c'));
            top = model.topK(probabilities, k);
        }
        for (int i = 0; i < batch.size(); i++) {
            Row r = batch.get(i);
            Object[] out = new Object[r.length() + 3];
            for (int c = 0; c < r.length(); c++) {
                out[c] = r.get(c);
            }
            if (slot[i] >= 0) {
                List<Prediction> best = top.get(slot[i]);
                double[] p = probabilities.getRow(slot[i]).toDoubleVector();
                List<Integer> classes = new ArrayList<>(best.size());
                best.forEach(b -> classes.add(b.classIndex()));
                out[r.length()] = (double) best.get(0).classIndex();
                out[r.length() + 1] = Vectors.dense(p);
                // Spark's Row encoder takes a Scala Seq (or an array) for array<int>, not a java.util.List
                out[r.length() + 2] = JavaConverters.asScalaBuffer(classes).toList();
            }
            ready.add(RowFactory.create(out));
        }
    }
}
