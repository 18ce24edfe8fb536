package org.resnetspark.data.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.resnetspark.data.HeapBatch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kryo serialization of {@link HeapBatch}es that moves their floats in bulk (Kryo's own float arrays go one value
 * at a time), little-endian whatever the machine. {@link #read} returns a batch equal to the one written.
 */
public final class HeapBatchKryoSerializer extends Serializer<HeapBatch> {
    /** Floats moved per copy when Kryo's buffer must grow. */
    private static final int CHUNK_FLOATS = 1 << 14;

    @Override
    public void write(Kryo kryo, Output output, HeapBatch batch) {
        output.writeVarInt(batch.numExamples(), true);
        output.writeVarInt(batch.numClasses(), true);
        long[] shape = batch.exampleShape();
        output.writeVarInt(shape.length, true);
        for (long d : shape) {
            output.writeVarLong(d, true);
        }
        writeFloats(output, batch.features());
        writeFloats(output, batch.labels());
    }

    @Override
    public HeapBatch read(Kryo kryo, Input input, Class<HeapBatch> type) {
        int n = input.readVarInt(true);
        int classes = input.readVarInt(true);
        long[] shape = new long[input.readVarInt(true)];
        long perExample = 1;
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.readVarLong(true);
            perExample = Math.multiplyExact(perExample, shape[i]);
        }
        float[] features = readFloats(input, Math.toIntExact(perExample * n));
        float[] labels = readFloats(input, Math.multiplyExact(n, classes));
        return new HeapBatch(features, shape, labels, n, classes);
    }

    /**
     * Straight into Kryo's buffer (its getters and setters are public; only its refilling is not), flushing it to
     * the stream when full; where it cannot flush (no stream), through {@code writeBytes}, which grows it.
     */
    private static void writeFloats(Output output, float[] values) {
        for (int done = 0; done < values.length; ) {
            int room = (output.getBuffer().length - output.position()) / Float.BYTES;
            if (room == 0) {
                output.flush();
                room = (output.getBuffer().length - output.position()) / Float.BYTES;
            }
            if (room == 0) {
                int n = Math.min(CHUNK_FLOATS, values.length - done);
                byte[] chunk = new byte[n * Float.BYTES];
                ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, done, n);
                output.writeBytes(chunk);
                done += n;
                continue;
            }
            int n = Math.min(room, values.length - done);
            int at = output.position();
            ByteBuffer.wrap(output.getBuffer(), at, n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .put(values, done, n);
            output.setPosition(at + n * Float.BYTES);
            done += n;
        }
    }

    /**
     * Straight out of Kryo's buffer; when it holds less than a float, one float through {@code readBytes}, which
     * refills it.
     */
    private static float[] readFloats(Input input, int length) {
        float[] values = new float[length];
        byte[] one = new byte[Float.BYTES];
        for (int done = 0; done < length; ) {
            int buffered = (input.limit() - input.position()) / Float.BYTES;
            if (buffered == 0) {
                input.readBytes(one);
                values[done++] = ByteBuffer.wrap(one).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                continue;
            }
            int n = Math.min(buffered, length - done);
            int at = input.position();
            ByteBuffer.wrap(input.getBuffer(), at, n * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(values, done, n);
            input.setPosition(at + n * Float.BYTES);
            done += n;
        }
        return values;
    }
}
