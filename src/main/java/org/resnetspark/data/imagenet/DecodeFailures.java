package org.resnetspark.data.imagenet;

import org.apache.spark.util.CollectionAccumulator;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.image.CorruptImageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;

/**
 * What happens when an image that passed the structural checks at load time still fails to decode inside an
 * epoch (bit errors in entropy-coded data, a codec rejecting the stream): under {@link BadRecordPolicy#FAIL} an
 * {@link InvalidDataException} with the record's one-line message; under {@code SKIP} a WARN line and the
 * record's identity added to a Spark accumulator, so the driver can count <i>distinct</i> bad records however
 * many epochs meet them.
 */
final class DecodeFailures implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeFailures.class);

    private final BadRecordPolicy policy;
    private final CollectionAccumulator<String> sources;

    DecodeFailures(BadRecordPolicy policy, CollectionAccumulator<String> sources) {
        this.policy = policy;
        this.sources = sources;
    }

    /** Records the failure, or throws under FAIL. Executor side. */
    void report(CorruptImageException e, String what) {
        if (policy == BadRecordPolicy.FAIL) {
            throw new InvalidDataException(e.getMessage() + " (--on_bad_record fail)", e);
        }
        LOG.warn("skipping corrupt image {}; {}", e.getMessage(), what);
        sources.add(e.source());
    }

    /** Distinct records that failed to decode so far. Driver side. */
    long distinct() {
        List<String> all = sources.value();
        synchronized (all) {
            return new HashSet<>(all).size();
        }
    }
}
