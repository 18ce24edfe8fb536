package org.resnetspark.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.File;

/** A local SparkSession for tests: loopback only, no UI, temp files under target/. */
public final class LocalSpark {

    private LocalSpark() {
    }

    public static SparkSession start(int threads) {
        return SparkSession.builder().config(conf(threads)).getOrCreate();
    }

    /** The configuration {@link #start} uses, for a test that needs to add to it before starting Spark. */
    public static SparkConf conf(int threads) {
        File tmp = new File("target/spark-tmp");
        tmp.mkdirs();
        SparkConf conf = new SparkConf()
                .setMaster("local[" + threads + "]")
                .setAppName("resnet-spark-test")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.local.dir", tmp.getAbsolutePath())
                .set("spark.sql.shuffle.partitions", "2")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", "org.resnetspark.data.kryo.ResNetKryoRegistrator")
                .set("spark.kryoserializer.buffer.max", "512m");
        return conf;
    }

    public static JavaSparkContext context(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext());
    }
}
