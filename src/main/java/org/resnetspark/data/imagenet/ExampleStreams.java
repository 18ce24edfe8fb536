package org.resnetspark.data.imagenet;

import org.resnetspark.data.LabeledExample;
import org.resnetspark.data.image.CorruptImageException;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * One partition's cached records turned into preprocessed examples, lazily.
 *
 * <p>Training keeps the number of examples equal to the number of records even when an image fails to decode:
 * DL4J's training masters need the same number of batches on every worker, so a failed record is replaced by
 * a fresh augmentation of the partition's previous good record (or, at the start of a partition, of the next
 * good one). Evaluation simply leaves a failed record out. Failures go to {@link DecodeFailures}.
 */
final class ExampleStreams {

    private ExampleStreams() {
    }

    /** Training examples: one per record, with crops and flips from {@code rng}. */
    static Iterator<LabeledExample> train(Iterator<ImageNetRecord> records, EncodedPreprocessing prep,
                                          SplittableRandom rng, DecodeFailures failures) {
        return new Iterator<>() {
            private ImageNetRecord lastGood;
            private int owed; // failed records at the partition start, waiting for a first good record
            private final ArrayDeque<LabeledExample> ready = new ArrayDeque<>();

            @Override
            public boolean hasNext() {
                while (ready.isEmpty() && records.hasNext()) {
                    ImageNetRecord r = records.next();
                    try {
                        ready.add(example(r));
                        lastGood = r;
                        for (; owed > 0; owed--) {
                            ready.add(example(r));
                        }
                    } catch (CorruptImageException e) {
                        if (lastGood != null) {
                            failures.report(e, "replaced by another crop of " + lastGood.source());
                            ready.add(example(lastGood));
                        } else {
                            failures.report(e, "replaced by another crop of the partition's next good image");
                            owed++;
                        }
                    }
                }
                return !ready.isEmpty();
            }

            @Override
            public LabeledExample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.poll();
            }

            private LabeledExample example(ImageNetRecord r) {
                return new LabeledExample(prep.train(r.encoded(), r.boxes(), rng, r.source()), r.label());
            }
        };
    }

    /** Evaluation examples (deterministic); records that fail to decode are left out. */
    static Iterator<LabeledExample> eval(Iterator<ImageNetRecord> records, EncodedPreprocessing prep,
                                         DecodeFailures failures) {
        return new Iterator<>() {
            private LabeledExample next;

            @Override
            public boolean hasNext() {
                while (next == null && records.hasNext()) {
                    ImageNetRecord r = records.next();
                    try {
                        next = new LabeledExample(prep.eval(r.encoded(), r.source()), r.label());
                    } catch (CorruptImageException e) {
                        failures.report(e, "left out of the evaluation");
                    }
                }
                return next != null;
            }

            @Override
            public LabeledExample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LabeledExample e = next;
                next = null;
                return e;
            }
        };
    }
}
