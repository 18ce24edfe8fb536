package org.resnetspark.train;

import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressReporterTest {

    @Test
    void lineCountsGlobalStepsFromWorkerMinibatches() {
        LongAccumulator minibatches = new LongAccumulator();
        minibatches.add(7);
        // linear warm-up to 0.1 over 4 epochs of 100 steps: the rate at the step reached, not at the epoch start
        LearningRateSchedule warmup = LearningRateSchedule.linear(0.1, 100, 4, 10);
        try (ProgressReporter p = new ProgressReporter(minibatches, 2, 16, warmup, Duration.ofHours(1))) {
            assertNull(p.line());
            p.startEpoch(3, 10, 200, 100, 1000, 1.2345);
            minibatches.add(40);
            String line = p.line();
            assertTrue(line.startsWith("epoch 3/10: step 20/100 (global 220/1000), "), line);
            assertTrue(line.contains("lr 0.05500, last loss 1.2345, ETA epoch "), line);
        }
    }

    @Test
    void etaFormats() {
        assertEquals("0s", ProgressReporter.eta(0, 1));
        assertEquals("?", ProgressReporter.eta(5, 0));
        assertEquals("50s", ProgressReporter.eta(100, 2));
        assertEquals("2m05s", ProgressReporter.eta(125, 1));
        assertEquals("2h01m", ProgressReporter.eta(7260, 1));
    }
}
