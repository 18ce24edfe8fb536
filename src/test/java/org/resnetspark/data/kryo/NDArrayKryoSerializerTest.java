package org.resnetspark.data.kryo;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.resnetspark.data.HeapBatch;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NDArrayKryoSerializerTest {

    private static SerializerInstance kryo(String registrator) {
        return new KryoSerializer(new SparkConf()
                .set("spark.kryo.registrator", registrator)
                .set("spark.kryoserializer.buffer.max", "512m")).newInstance();
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(SerializerInstance kryo, T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(Object.class));
        return (T) kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
    }

    private static void assertSameArray(INDArray expected, INDArray actual) {
        assertNotSame(expected, actual);
        assertEquals(expected.dataType(), actual.dataType());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(expected, actual);
        assertFalse(actual.isAttached(), "a deserialized array must not live in a workspace");
    }

    @Test
    void theRegistratorPutsTheBulkSerializerOnTheBackendsArrayClass() {
        com.esotericsoftware.kryo.Kryo k = new KryoSerializer(new SparkConf()
                .set("spark.kryo.registrator", ResNetKryoRegistrator.NAME)).newKryo();
        assertTrue(k.getRegistration(Nd4j.getBackend().getNDArrayClass()).getSerializer()
                instanceof NDArrayKryoSerializer);
        // and keeps what ND4J's registrator adds
        assertTrue(k.getRegistration(org.nd4j.common.primitives.AtomicDouble.class).getSerializer()
                instanceof org.nd4j.kryo.primitives.AtomicDoubleSerializer);
    }

    @Test
    void aHeapBatchRoundTripsInBulkWithItsRawSizeOnly() {
        SerializerInstance kryo = kryo(ResNetKryoRegistrator.NAME);
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        // more floats than one copy moves, and a length that is no multiple of it
        int n = 7;
        long[] shape = {3, 41, 43};
        float[] features = new float[n * 3 * 41 * 43];
        for (int i = 0; i < features.length; i++) {
            features[i] = (float) r.nextGaussian();
        }
        float[] labels = new float[n * 10];
        for (int i = 0; i < n; i++) {
            labels[i * 10 + r.nextInt(10)] = 1f;
        }
        HeapBatch batch = new HeapBatch(features, shape, labels, n, 10);
        HeapBatch back = roundTrip(kryo, batch);
        assertArrayEquals(features, back.features());
        assertArrayEquals(labels, back.labels());
        assertArrayEquals(shape, back.exampleShape());
        assertEquals(10, back.numClasses());
        long raw = 4L * (features.length + labels.length);
        long written = kryo.serialize(batch, ClassTag$.MODULE$.apply(Object.class)).remaining();
        assertTrue(written >= raw && written < raw + 64, written + " bytes for " + raw + " bytes of values");

        // as Spark caches a round: a stream of batches through a small buffer, flushed and refilled mid-array
        SerializerInstance smallBuffer = new KryoSerializer(new SparkConf()
                .set("spark.kryo.registrator", ResNetKryoRegistrator.NAME)
                .set("spark.kryoserializer.buffer", "1k")).newInstance();
        java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
        org.apache.spark.serializer.SerializationStream out = smallBuffer.serializeStream(block);
        HeapBatch small = new HeapBatch(new float[] {1.5f, -2f, 3.25f}, new long[] {3}, new float[] {0, 1}, 1, 2);
        out.writeObject(batch, ClassTag$.MODULE$.apply(HeapBatch.class));
        out.writeObject(small, ClassTag$.MODULE$.apply(HeapBatch.class));
        out.writeObject(batch, ClassTag$.MODULE$.apply(HeapBatch.class));
        out.close();
        org.apache.spark.serializer.DeserializationStream in = smallBuffer.deserializeStream(
                new java.io.ByteArrayInputStream(block.toByteArray()));
        for (HeapBatch expected : java.util.List.of(batch, small, batch)) {
            HeapBatch read = in.readObject(ClassTag$.MODULE$.apply(HeapBatch.class));
            assertArrayEquals(expected.features(), read.features());
            assertArrayEquals(expected.labels(), read.labels());
        }
        in.close();
    }

    @Test
    void everyNumericTypeShapeAndLayoutRoundTrips() {
        SerializerInstance kryo = kryo(ResNetKryoRegistrator.NAME);
        Nd4j.getRandom().setSeed(7);
        INDArray batch = Nd4j.rand(DataType.FLOAT, 4, 3, 8, 8);
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.INT,
                DataType.LONG, DataType.UINT8, DataType.BOOL}) {
            INDArray a = t == DataType.BOOL ? batch.gt(0.5) : batch.mul(100).castTo(t);
            assertSameArray(a, roundTrip(kryo, a));
        }
        // a strided view, an 'f'-order array, a scalar, a vector, an array with a zero dimension
        INDArray view = batch.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all(), NDArrayIndex.point(2),
                NDArrayIndex.interval(0, 8, 2));
        assertTrue(view.isView());
        assertSameArray(view, roundTrip(kryo, view));
        INDArray fOrder = batch.reshape(12, 64).dup('f');
        assertSameArray(fOrder, roundTrip(kryo, fOrder));
        assertSameArray(Nd4j.scalar(2.5f), roundTrip(kryo, Nd4j.scalar(2.5f)));
        assertSameArray(Nd4j.createFromArray(1L, 2L, 3L), roundTrip(kryo, Nd4j.createFromArray(1L, 2L, 3L)));
        INDArray empty = Nd4j.create(DataType.FLOAT, 0, 3);
        INDArray emptyBack = roundTrip(kryo, empty);
        assertArrayEquals(empty.shape(), emptyBack.shape());
        assertTrue(emptyBack.isEmpty());
    }

    @Test
    void aMinibatchRoundTripsAndTakesItsRawSizeOnly() {
        SerializerInstance kryo = kryo(ResNetKryoRegistrator.NAME);
        Nd4j.getRandom().setSeed(11);
        INDArray features = Nd4j.rand(DataType.FLOAT, 32, 3, 64, 64);
        INDArray labels = Nd4j.eye(32).castTo(DataType.FLOAT).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10));
        DataSet d = new DataSet(features, labels, null, Nd4j.ones(DataType.FLOAT, 32, 1));
        DataSet back = roundTrip(kryo, d);
        assertSameArray(features, back.getFeatures());
        assertSameArray(labels, back.getLabels());
        assertEquals(null, back.getFeaturesMaskArray());
        assertSameArray(d.getLabelsMaskArray(), back.getLabelsMaskArray());

        long raw = 4L * (features.length() + labels.length() + 32);
        long written = kryo.serialize(d, ClassTag$.MODULE$.apply(Object.class)).remaining();
        assertTrue(written >= raw && written < raw + 1024, written + " bytes for " + raw + " bytes of values");
    }

    @Test
    void readingInsideAWorkspaceGivesADetachedArray() {
        SerializerInstance kryo = kryo(ResNetKryoRegistrator.NAME);
        INDArray a = Nd4j.linspace(DataType.FLOAT, 1, 24, 1).reshape(2, 3, 4);
        INDArray empty = Nd4j.create(DataType.FLOAT, 0, 3);
        ByteBuffer bytes = kryo.serialize(a, ClassTag$.MODULE$.apply(Object.class));
        ByteBuffer emptyBytes = kryo.serialize(empty, ClassTag$.MODULE$.apply(Object.class));
        WorkspaceConfiguration conf = WorkspaceConfiguration.builder().initialSize(1 << 20).build();
        INDArray back;
        INDArray emptyBack;
        try (MemoryWorkspace ws = Nd4j.getWorkspaceManager().getAndActivateWorkspace(conf, "kryo-test")) {
            back = (INDArray) kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
            emptyBack = (INDArray) kryo.deserialize(emptyBytes, ClassTag$.MODULE$.apply(Object.class));
        }
        assertSameArray(a, back);
        assertEquals(24f, back.getFloat(1, 2, 3));
        // empty arrays go through ND4J's own format, detached all the same
        assertTrue(emptyBack.isEmpty());
        assertFalse(emptyBack.isAttached());
    }

    @Test
    void isNoLargerThanNd4jsOwnFormatWhichStillRoundTrips() {
        INDArray a = Nd4j.linspace(DataType.FLOAT, 1, 1000, 1).reshape(10, 100);
        long ours = kryo(ResNetKryoRegistrator.NAME).serialize(a, ClassTag$.MODULE$.apply(Object.class))
                .remaining();
        long nd4j = kryo("org.nd4j.kryo.Nd4jRegistrator").serialize(a, ClassTag$.MODULE$.apply(Object.class))
                .remaining();
        assertTrue(ours <= nd4j, ours + " vs " + nd4j);
        assertEquals(a, roundTrip(kryo("org.nd4j.kryo.Nd4jRegistrator"), a));
        assertTrue(Arrays.equals(a.shape(), new long[] {10, 100}));
    }
}
