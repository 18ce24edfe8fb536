package org.resnetspark.data.tfrecord;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnetspark.testing.LocalSpark;

class TFRecordReadTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.start(2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void explore() {
        for (String f : new String[] {TestData.SHAPES_TRAIN, TestData.VOC_VAL, TestData.PENGUIN_GZ}) {
            Dataset<Row> df = spark.read().format("tfrecord").load(TestData.uri(f));
            df.printSchema();
            System.out.println(df.count());
            df.drop("image/encoded", "image/segmentation/class/encoded").show(3, 60);
        }
    }
}
