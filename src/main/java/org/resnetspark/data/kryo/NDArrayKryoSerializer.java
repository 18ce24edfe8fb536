package org.resnetspark.data.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Kryo serialization of ND4J arrays that copies their memory in bulk. ND4J's own {@code Nd4jSerializer} goes
 * through {@code Nd4j.write}, which writes one element at a time through a {@code DataOutputStream} (reading is the
 * same): for a 19 MB ImageNet minibatch that is most of what caching a training round costs.
 *
 * <p>Guarantees: {@link #read} returns an array equal to the one written, with the same data type and shape, in
 * 'c' order, detached from any workspace. On the CPU backend numeric arrays are written as their raw bytes in this
 * machine's byte order (reading them on a machine with the other byte order fails with a message saying so);
 * other backends, empty and compressed arrays use ND4J's own format, so every array ND4J can serialize still
 * round-trips.
 */
public final class NDArrayKryoSerializer extends Serializer<INDArray> {

    private static final byte RAW_LITTLE_ENDIAN = 1;
    private static final byte RAW_BIG_ENDIAN = 2;
    private static final byte ND4J_FORMAT = 3;
    private static final byte NATIVE_ORDER = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
            ? RAW_LITTLE_ENDIAN : RAW_BIG_ENDIAN;
    /** Bytes moved per copy between native memory and Kryo's buffer. */
    private static final int CHUNK = 1 << 16;

    @Override
    public void write(Kryo kryo, Output output, INDArray array) {
        if (!rawBytesPossible(array)) {
            output.writeByte(ND4J_FORMAT);
            try {
                DataOutputStream out = new DataOutputStream(output);
                Nd4j.write(array, out);
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        INDArray a = array.isView() || array.ordering() != 'c' || array.data().length() != array.length()
                ? array.dup('c') : array;
        output.writeByte(NATIVE_ORDER);
        output.writeString(a.dataType().name());
        long[] shape = a.shape();
        output.writeVarInt(shape.length, true);
        for (long d : shape) {
            output.writeVarLong(d, true);
        }
        ByteBuffer bytes = a.data().asNio().order(ByteOrder.nativeOrder());
        bytes.clear();
        long length = a.length() * a.dataType().width();
        if (bytes.capacity() < length) {
            throw new IllegalStateException("ND4J buffer of " + bytes.capacity() + " bytes for " + length);
        }
        byte[] chunk = new byte[(int) Math.min(CHUNK, length)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(chunk.length, length - done);
            bytes.get(chunk, 0, n);
            output.writeBytes(chunk, 0, n);
            done += n;
        }
        // the ByteBuffer does not keep the array alive: were it collected mid-copy (a dup'd view is referenced
        // from nowhere else), ND4J would free the memory being read (seen: a JVM crash in the test suite)
        Reference.reachabilityFence(a);
    }

    @Override
    public INDArray read(Kryo kryo, Input input, Class<INDArray> type) {
        // a task may deserialize while a workspace is open; its arrays must outlive it
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            return readDetached(input);
        }
    }

    private static INDArray readDetached(Input input) {
        byte format = input.readByte();
        if (format == ND4J_FORMAT) {
            return Nd4j.read(new DataInputStream(input));
        }
        if (format != RAW_LITTLE_ENDIAN && format != RAW_BIG_ENDIAN) {
            throw new KryoException("not an ND4J array written by " + NDArrayKryoSerializer.class.getSimpleName()
                    + ": format byte " + format);
        }
        if (format != NATIVE_ORDER) {
            throw new KryoException("ND4J array written on a " + (format == RAW_BIG_ENDIAN ? "big" : "little")
                    + "-endian machine, read on a " + ByteOrder.nativeOrder() + " one: use the same byte order on"
                    + " the driver and every executor");
        }
        DataType dataType = DataType.valueOf(input.readString());
        long[] shape = new long[input.readVarInt(true)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = input.readVarLong(true);
        }
        INDArray a = Nd4j.createUninitialized(dataType, shape, 'c');
        long length = a.length() * dataType.width();
        if (length == 0) {
            return a;
        }
        ByteBuffer bytes = a.data().asNio().order(ByteOrder.nativeOrder());
        bytes.clear();
        byte[] chunk = new byte[(int) Math.min(CHUNK, length)];
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(chunk.length, length - done);
            input.readBytes(chunk, 0, n);
            bytes.put(chunk, 0, n);
            done += n;
        }
        Reference.reachabilityFence(a);
        return a;
    }

    /** Raw bytes only where ND4J's buffer is plain host memory holding fixed-width numbers. */
    private static boolean rawBytesPossible(INDArray array) {
        return Nd4j.getEnvironment().isCPU() && !array.isEmpty() && !array.isCompressed()
                && (array.dataType().isNumerical() || array.dataType() == DataType.BOOL);
    }
}
