package org.resnetspark.backend;

import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

import java.util.Map;

/**
 * Runs {@link Backend#init()} in every executor JVM when it starts, before any task can touch ND4J, so executors
 * train with the same oneDNN build and helpers as the driver. Registered by {@code spark.plugins} (set by
 * {@code cli.SparkSessions} unless the user sets it, and in {@code conf/spark-defaults.conf}). On the driver
 * it only makes sure {@code init()} ran (bin/resnet-spark and spark-submit's Main call it first anyway).
 */
public final class BackendSparkPlugin implements SparkPlugin {

    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            @Override
            public Map<String, String> init(org.apache.spark.SparkContext sc, PluginContext ctx) {
                Backend.init();
                return Map.of();
            }
        };
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                Backend.init();
            }
        };
    }
}
