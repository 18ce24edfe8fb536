package org.resnetspark.data.imagenet;

import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.ExampleWriter;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.LabeledExample;
import org.resnetspark.data.image.CorruptImageException;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images that fail to decode inside an epoch: replaced in training, left out in evaluation, counted once. */
class ExampleStreamsTest {

    private final ImageNetPreprocessing prep = new ImageNetPreprocessing(PreprocessingOptions.forOutputSize(32));

    private List<ImageNetRecord> records() throws IOException {
        byte[] truncated = Files.readAllBytes(RawImageNetFixture.shared().resolve("jpeg/quirks/truncated-half.JPEG"));
        byte[] good = Files.readAllBytes(RawImageNetFixture.shared().resolve("jpeg/quirks/small-64x64.jpg"));
        float[][] none = new float[0][];
        return List.of(new ImageNetRecord("s#0", truncated, 9, none), new ImageNetRecord("s#1", good, 1, none),
                new ImageNetRecord("s#2", truncated, 9, none), new ImageNetRecord("s#3", good, 2, none));
    }

    /** Every example the writer gives, each written at a different offset of its own array. */
    private List<LabeledExample> drain(ExampleWriter writer) {
        List<LabeledExample> out = new ArrayList<>();
        int n = prep.valuesPerImage();
        for (int offset = 1; ; offset++) {
            float[] slot = new float[offset + n];
            int label = writer.writeNext(slot, offset);
            if (label == ExampleWriter.END) {
                return out;
            }
            out.add(new LabeledExample(Arrays.copyOfRange(slot, offset, offset + n), label));
        }
    }

    @Test
    void trainingReplacesFailedImagesWithCropsOfGoodOnesSoCountsStayEqual() throws IOException {
        DecodeFailures failures = new DecodeFailures(BadRecordPolicy.SKIP, new CollectionAccumulator<>());
        List<LabeledExample> out = drain(ExampleStreams.train(records().iterator(), prep, new SplittableRandom(1),
                failures));
        assertEquals(List.of(1, 1, 1, 2), out.stream().map(LabeledExample::label).toList(),
                "s#0 waits for s#1, s#2 takes s#1 again");
        assertEquals(3 * 32 * 32, out.get(0).features().length);
        // replayed: s#0 draws its crop and flip before its decode fails, then s#1 is rendered
        SplittableRandom replay = new SplittableRandom(1);
        float[] again = new float[prep.valuesPerImage()];
        assertThrows(CorruptImageException.class,
                () -> prep.trainInto(records().get(0).encoded(), new float[0][], replay, "s#0", again, 0));
        prep.trainInto(records().get(1).encoded(), new float[0][], replay, "s#1", again, 0);
        assertArrayEquals(again, out.get(0).features(), "the first example is s#1, written at its slot");
        assertNotEquals(Arrays.toString(out.get(0).features()), Arrays.toString(out.get(1).features()),
                "the replacement is a fresh crop, not a copy");
        assertEquals(2, failures.distinct());
        // another epoch meets the same records: still 2 distinct bad records
        drain(ExampleStreams.train(records().iterator(), prep, new SplittableRandom(2), failures));
        assertEquals(2, failures.distinct());
    }

    @Test
    void evaluationLeavesFailedImagesOut() throws IOException {
        DecodeFailures failures = new DecodeFailures(BadRecordPolicy.SKIP, new CollectionAccumulator<>());
        List<LabeledExample> out = drain(ExampleStreams.eval(records().iterator(), prep, failures));
        assertEquals(List.of(1, 2), out.stream().map(LabeledExample::label).toList());
        assertEquals(2, failures.distinct());
    }

    @Test
    void failPolicyStopsAtTheFirstWithOneLine() throws IOException {
        DecodeFailures failures = new DecodeFailures(BadRecordPolicy.FAIL, new CollectionAccumulator<>());
        InvalidDataException e = assertThrows(InvalidDataException.class,
                () -> drain(ExampleStreams.train(records().iterator(), prep, new SplittableRandom(1), failures)));
        assertTrue(e.getMessage().startsWith("s#0: "), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }
}
