package org.resnetspark.data.kryo;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.data.HeapBatch;

/**
 * Spark's {@code spark.kryo.registrator} for this application: everything ND4J's {@link Nd4jRegistrator}
 * registers, with ND4J arrays (DL4J's copies of training rounds, broadcast parameters) serialized in bulk by
 * {@link NDArrayKryoSerializer}, and the minibatches of cached training rounds ({@link HeapBatch}) by
 * {@link HeapBatchKryoSerializer}. The driver and every executor must use the same registrator.
 */
public final class ResNetKryoRegistrator implements KryoRegistrator {

    /** The value for {@code spark.kryo.registrator}. */
    public static final String NAME = ResNetKryoRegistrator.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new NDArrayKryoSerializer());
        kryo.register(HeapBatch.class, new HeapBatchKryoSerializer());
    }
}
