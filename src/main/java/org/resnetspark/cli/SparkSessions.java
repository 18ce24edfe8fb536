package org.resnetspark.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.resnetspark.backend.BackendSparkPlugin;
import org.resnetspark.data.kryo.ResNetKryoRegistrator;

/**
 * The SparkSession of a job: whatever spark-submit (or bin/resnet-spark's {@code -Dspark.master}) configured,
 * plus the settings DL4J needs when the user did not set them: Kryo with {@link ResNetKryoRegistrator} (INDArrays in
 * minibatches and parameters, copied in bulk), a Kryo buffer large enough for an ImageNet minibatch, and
 * {@link BackendSparkPlugin} (oneDNN on every executor).
 */
public final class SparkSessions {

    private SparkSessions() {
    }

    /**
     * A job's session; closing it stops Spark only when this job started it, so running a command inside a
     * notebook (Zeppelin) leaves the notebook's SparkContext alive.
     */
    public record Job(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    public static Job open(String appName) {
        boolean existing = SparkSession.getDefaultSession().isDefined() || SparkSession.getActiveSession().isDefined();
        return new Job(getOrCreate(appName), !existing);
    }

    public static SparkSession getOrCreate(String appName) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.app.name", appName);
        conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.setIfMissing("spark.kryo.registrator", ResNetKryoRegistrator.NAME);
        conf.setIfMissing("spark.kryoserializer.buffer.max", "1g");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // oneDNN build + DL4J helpers on every executor JVM (Backend.init() at executor start-up)
        conf.setIfMissing("spark.plugins", BackendSparkPlugin.class.getName());
        return SparkSession.builder().config(conf).getOrCreate();
    }
}
