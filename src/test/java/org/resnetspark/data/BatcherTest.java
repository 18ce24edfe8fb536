package org.resnetspark.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatcherTest {

    /** Example i: features {i, i + 0.5, ...} (shape 2x1x1 unless given), label i % classes. */
    private static List<LabeledExample> examples(int n, int classes, int featureLength) {
        List<LabeledExample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = new float[featureLength];
            for (int k = 0; k < featureLength; k++) {
                f[k] = i + k * 0.5f;
            }
            out.add(new LabeledExample(f, i % classes));
        }
        return out;
    }

    private static List<DataSet> all(Iterator<DataSet> it) {
        List<DataSet> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void dropKeepsOnlyFullBatchesInOrder() {
        Batcher b = new Batcher(4, new long[] {2, 1, 1}, 3, 0, Batcher.Remainder.DROP);
        List<DataSet> batches = all(b.batches(examples(10, 3, 2).iterator()));
        assertEquals(2, batches.size());
        assertArrayEquals(new long[] {4, 2, 1, 1}, batches.get(0).getFeatures().shape());
        assertArrayEquals(new long[] {4, 3}, batches.get(0).getLabels().shape());
        // example 5 is row 1 of batch 1: features {5, 5.5}, label 5 % 3 = 2
        assertEquals(5f, batches.get(1).getFeatures().getFloat(1, 0, 0, 0));
        assertEquals(5.5f, batches.get(1).getFeatures().getFloat(1, 1, 0, 0));
        assertArrayEquals(new float[] {0, 0, 1}, batches.get(1).getLabels().getRow(1).toFloatVector());
        // batch 0 was built in the buffer batch 1 reused
        assertEquals(1.5f, batches.get(0).getFeatures().getFloat(1, 1, 0, 0), "batch 0 keeps its own values");
        assertEquals(2, Batcher.batchCount(10, 4, Batcher.Remainder.DROP));
    }

    @Test
    void keepEmitsTheRemainderAsOneSmallerBatch() {
        Batcher b = new Batcher(4, new long[] {2, 1, 1}, 3, 0, Batcher.Remainder.KEEP);
        List<DataSet> batches = all(b.batches(examples(10, 3, 2).iterator()));
        assertEquals(List.of(4, 4, 2), batches.stream().map(DataSet::numExamples).toList());
        assertEquals(9f, batches.get(2).getFeatures().getFloat(1, 0, 0, 0));
        assertEquals(3, Batcher.batchCount(10, 4, Batcher.Remainder.KEEP));
        int total = batches.stream().mapToInt(DataSet::numExamples).sum();
        assertEquals(10, total, "every example exactly once");
    }

    @Test
    void exactMultipleHasNoRemainderAndEmptyInputNoBatch() {
        Batcher b = new Batcher(5, new long[] {1}, 2, 0, Batcher.Remainder.KEEP);
        assertEquals(2, all(b.batches(examples(10, 2, 1).iterator())).size());
        assertFalse(b.batches(List.<LabeledExample>of().iterator()).hasNext());
        Batcher drop = new Batcher(5, new long[] {1}, 2, 0, Batcher.Remainder.DROP);
        assertFalse(drop.batches(examples(4, 2, 1).iterator()).hasNext(), "only a partial batch: nothing");
    }

    @Test
    void labelSmoothingFollowsTensorFlow() {
        Batcher b = new Batcher(2, new long[] {1}, 10, 0.1, Batcher.Remainder.DROP);
        DataSet d = b.batches(examples(2, 10, 1).iterator()).next();
        float[] row = d.getLabels().getRow(1).toFloatVector(); // label 1
        assertEquals(0.91f, row[1], 1e-6f); // 1 * (1 - 0.1) + 0.1 / 10
        assertEquals(0.01f, row[0], 1e-6f);
        assertEquals(1.0, d.getLabels().getRow(1).sumNumber().doubleValue(), 1e-6);
    }

    @Test
    void rejectsWrongFeatureLengthAndLabel() {
        Batcher b = new Batcher(2, new long[] {3}, 2, 0, Batcher.Remainder.KEEP);
        assertThrows(IllegalArgumentException.class, () -> b.batches(examples(2, 2, 2).iterator()).next());
        List<LabeledExample> badLabel = List.of(new LabeledExample(new float[3], 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.batches(badLabel.iterator()).next());
        assertEquals("label 2, expected 0..1", e.getMessage());
    }

    @Test
    void heapBatchesHoldTheSameBatchesAsDataSets() {
        for (Batcher.Remainder remainder : Batcher.Remainder.values()) {
            Batcher b = new Batcher(4, new long[] {2, 1, 1}, 3, 0.1, remainder);
            List<DataSet> expected = all(b.batches(examples(10, 3, 2).iterator()));
            List<HeapBatch> heap = new ArrayList<>();
            b.heapBatches(examples(10, 3, 2).iterator()).forEachRemaining(heap::add);
            assertEquals(expected.size(), heap.size(), remainder.toString());
            for (int i = 0; i < heap.size(); i++) {
                HeapBatch h = heap.get(i);
                assertEquals(expected.get(i).numExamples(), h.numExamples());
                assertEquals(h.numExamples() * 2, h.features().length, "a partial batch has no padding");
                DataSet d = h.toDataSet();
                assertEquals(expected.get(i).getFeatures(), d.getFeatures(), remainder + " batch " + i);
                assertEquals(expected.get(i).getLabels(), d.getLabels(), remainder + " batch " + i);
                assertNotSame(h.toDataSet().getFeatures().data(), d.getFeatures().data(), "a copy per call");
            }
        }
        assertFalse(new Batcher(5, new long[] {1}, 2, 0, Batcher.Remainder.DROP)
                .heapBatches(examples(4, 2, 1).iterator()).hasNext(), "only a partial batch: nothing");
    }

    @Test
    void heapBatchesOverwriteRecycledArraysAndReturnTheOnesTheyDoNotKeep() {
        Batcher b = new Batcher(4, new long[] {2, 1, 1}, 3, 0, Batcher.Remainder.KEEP);
        List<DataSet> expected = all(b.batches(examples(10, 3, 2).iterator()));
        FeatureArrayPool pool = new FeatureArrayPool(1 << 20);
        float[] stale = new float[8];
        Arrays.fill(stale, Float.NaN);
        pool.recycle(stale);
        List<HeapBatch> heap = new ArrayList<>();
        Iterator<LabeledExample> it = examples(10, 3, 2).iterator();
        ExampleWriter writer = (out, offset) -> {
            if (!it.hasNext()) {
                return ExampleWriter.END;
            }
            LabeledExample e = it.next();
            System.arraycopy(e.features(), 0, out, offset, e.features().length);
            return e.label();
        };
        b.heapBatches(writer, pool).forEachRemaining(heap::add);
        assertSame(stale, heap.get(0).features(), "the first batch reuses the recycled array");
        for (int i = 0; i < heap.size(); i++) {
            assertEquals(expected.get(i).getFeatures(), heap.get(i).toDataSet().getFeatures(), "batch " + i);
        }
        // the last batch holds 2 examples in a copy; its full-size buffer went back to the pool, served the look for
        // a fourth batch (reused) and went back again when there was none
        assertEquals(32, pool.pooledBytes());
        assertEquals(2, pool.reusedCount());
    }

    @Test
    void heapBatchesBecomeDataSetsOutsideAnOpenWorkspace() {
        HeapBatch h = new HeapBatch(new float[] {1, 2, 3, 4}, new long[] {2}, new float[] {1, 0, 0, 1}, 2, 2);
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        DataSet d;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "heap-batch-test")) {
            d = h.toDataSet();
        }
        // a workspace array would be reused (and freed) by the workspace once it closes
        assertFalse(d.getFeatures().isAttached());
        assertFalse(d.getLabels().isAttached());
        assertArrayEquals(new float[] {1, 2, 3, 4}, d.getFeatures().data().asFloat());
        assertArrayEquals(new long[] {2, 2}, d.getFeatures().shape());
    }

    @Test
    void heapBatchRejectsValuesThatDoNotMatchItsShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HeapBatch(new float[5], new long[] {2, 1, 1}, new float[6], 2, 3));
        assertEquals("2 examples of [2, 1, 1], 3 classes: expected 4 feature and 6 label values, got 5 and 6",
                e.getMessage());
    }
}
