package org.resnetspark.data.imagenet;

import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.ExampleWriter;
import org.resnetspark.data.image.CorruptImageException;

import java.util.Iterator;
import java.util.SplittableRandom;

/**
 * One partition's cached records turned into preprocessed examples, lazily, each written straight into its
 * batch slot (see {@link ExampleWriter}).
 *
 * <p>Training keeps the number of examples equal to the number of records even when an image fails to decode:
 * DL4J's training masters need the same number of batches on every worker, so a failed record is replaced by
 * a fresh augmentation of the partition's previous good record (or, at the start of a partition, of the next
 * good one). Evaluation simply leaves a failed record out. Failures go to {@link DecodeFailures}.
 */
public final class ExampleStreams {

    private ExampleStreams() {
    }

    /** As the training stream, with the first decode failure fatal (for benchmarks: none is expected). */
    public static ExampleWriter trainFailingFast(Iterator<ImageNetRecord> records, EncodedPreprocessing prep,
                                                 SplittableRandom rng) {
        return train(records, prep, rng, new DecodeFailures(BadRecordPolicy.FAIL, null));
    }

    /** As the evaluation stream, with the first decode failure fatal (for benchmarks: none is expected). */
    public static ExampleWriter evalFailingFast(Iterator<ImageNetRecord> records, EncodedPreprocessing prep) {
        return eval(records, prep, new DecodeFailures(BadRecordPolicy.FAIL, null));
    }

    /** Training examples: one per record, with crops and flips from {@code rng}. */
    static ExampleWriter train(Iterator<ImageNetRecord> records, EncodedPreprocessing prep, SplittableRandom rng,
                               DecodeFailures failures) {
        return new ExampleWriter() {
            private ImageNetRecord lastGood;
            private int owed; // failed records at the partition start, waiting for a first good record

            @Override
            public int writeNext(float[] out, int offset) {
                if (owed > 0 && lastGood != null) {
                    owed--;
                    return write(lastGood, out, offset);
                }
                while (records.hasNext()) {
                    ImageNetRecord r = records.next();
                    try {
                        int label = write(r, out, offset);
                        lastGood = r;
                        return label;
                    } catch (CorruptImageException e) {
                        if (lastGood != null) {
                            failures.report(e, "replaced by another crop of " + lastGood.source());
                            return write(lastGood, out, offset); // overwrites whatever the failed decode left
                        }
                        failures.report(e, "replaced by another crop of the partition's next good image");
                        owed++;
                    }
                }
                return END;
            }

            private int write(ImageNetRecord r, float[] out, int offset) {
                prep.trainInto(r.encoded(), r.boxes(), rng, r.source(), out, offset);
                return r.label();
            }
        };
    }

    /** Evaluation examples (deterministic); records that fail to decode are left out. */
    static ExampleWriter eval(Iterator<ImageNetRecord> records, EncodedPreprocessing prep, DecodeFailures failures) {
        return (out, offset) -> {
            while (records.hasNext()) {
                ImageNetRecord r = records.next();
                try {
                    prep.evalInto(r.encoded(), r.source(), out, offset);
                    return r.label();
                } catch (CorruptImageException e) {
                    failures.report(e, "left out of the evaluation");
                }
            }
            return ExampleWriter.END;
        };
    }
}
