package org.resnetspark.data.kryo;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Spark's {@code spark.kryo.registrator} for this application: everything ND4J's {@link Nd4jRegistrator}
 * registers, with ND4J arrays (minibatches in cached training rounds, broadcast parameters) serialized in bulk by
 * {@link NDArrayKryoSerializer}. The driver and every executor must use the same registrator.
 */
public final class ResNetKryoRegistrator implements KryoRegistrator {

    /** The value for {@code spark.kryo.registrator}. */
    public static final String NAME = ResNetKryoRegistrator.class.getName();

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.register(Nd4j.getBackend().getNDArrayClass(), new NDArrayKryoSerializer());
    }
}
