package org.resnetspark.data.tfrecord;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import java.lang.ref.WeakReference;

/**
 * The driver-side count of TFRecords skipped by reads with {@code mode=DROPMALFORMED} / {@code on_bad_record=skip}:
 * one named {@link LongAccumulator} ({@value #ACCUMULATOR_NAME}, visible in the Spark UI) per SparkContext.
 *
 * <p>A record counts once per time it is read: Spark accumulators in reads are not exactly-once, so re-running a
 * query, a retried task or an uncached DataFrame used twice counts again. Call {@link #reset} before the action
 * whose skips you want, and read {@link #count} after it.
 */
public final class TFRecordBadRecords {

    /** The accumulator's name in the Spark UI. */
    public static final String ACCUMULATOR_NAME = "tfrecord.badRecords";

    private static WeakReference<SparkContext> owner = new WeakReference<>(null);
    private static LongAccumulator accumulator;

    private TFRecordBadRecords() {
    }

    /** The accumulator of this SparkContext, registered on first use. Driver only. */
    public static synchronized LongAccumulator accumulator(SparkContext sc) {
        if (accumulator == null || owner.get() != sc) {
            accumulator = sc.longAccumulator(ACCUMULATOR_NAME);
            owner = new WeakReference<>(sc);
        }
        return accumulator;
    }

    /** Records skipped since the last {@link #reset} (or since the SparkContext started), as seen by the driver. */
    public static long count(SparkSession spark) {
        return accumulator(spark.sparkContext()).value();
    }

    /** Sets the count back to zero. */
    public static void reset(SparkSession spark) {
        accumulator(spark.sparkContext()).reset();
    }
}
