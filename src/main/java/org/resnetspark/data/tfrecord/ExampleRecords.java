package org.resnetspark.data.tfrecord;

import com.google.protobuf.InvalidProtocolBufferException;
import org.tensorflow.example.Example;

import java.util.Set;

/** Parses a TFRecord payload as a {@code tf.train.Example}, refusing other messages that happen to parse. */
final class ExampleRecords {

    private ExampleRecords() {
    }

    /**
     * @throws RecordProblem when the bytes are not a protobuf message, or are a message with fields
     *                       {@code Example} does not have (protobuf parsing is lenient: a {@code SequenceExample}
     *                       parses as an Example whose {@code feature_lists} field 2 is "unknown")
     */
    static Example parse(byte[] payload) throws RecordProblem {
        Example example;
        try {
            example = Example.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new RecordProblem("payload is not a protobuf message (" + e.getMessage()
                    + "); expected a serialized tf.train.Example");
        }
        Set<Integer> unknown = example.getUnknownFields().asMap().keySet();
        if (!unknown.isEmpty() || !example.getFeatures().getUnknownFields().asMap().isEmpty()) {
            String hint = unknown.contains(2) ? " (field 2 is a SequenceExample's feature_lists)" : "";
            throw new RecordProblem("payload has protobuf fields " + (unknown.isEmpty() ? "inside features" : unknown)
                    + " that tf.train.Example does not define" + hint + "; expected a serialized tf.train.Example");
        }
        return example;
    }
}
