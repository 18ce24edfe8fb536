package org.resnetspark.cli;

import org.apache.spark.SparkConf;
import org.bytedeco.javacpp.Pointer;
import org.resnetspark.model.MemoryEstimate;
import org.resnetspark.model.ResNetSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rejects, before any task starts, a training configuration whose workers cannot fit their native memory.
 * ND4J allocates outside the Java heap; on YARN and Kubernetes that memory must fit in
 * {@code spark.executor.memoryOverhead}, and JavaCPP additionally caps it at {@code org.bytedeco.javacpp.maxbytes}
 * (default: the JVM's -Xmx). Exceeding either gets the container killed or an opaque allocation error mid-epoch.
 */
final class MemoryCheck {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryCheck.class);
    private static final long MIB = 1L << 20;

    private MemoryCheck() {
    }

    /**
     * @param local            whether the workers run inside this JVM (Spark local mode)
     * @param workersPerJvm    training workers sharing one JVM (local: all of them; cluster: per executor)
     * @throws UsageException when the estimate exceeds the budget, naming the settings to change
     */
    static void require(ResNetSpec spec, int batchPerWorker, int workersPerJvm, boolean local, SparkConf conf) {
        MemoryEstimate est = MemoryEstimate.of(spec, batchPerWorker);
        long need = est.totalBytes() * workersPerJvm;
        long budget;
        String where;
        String raise;
        if (local) {
            budget = Pointer.maxBytes();
            where = "this JVM allows " + MemoryEstimate.gib(budget) + " of native memory (JavaCPP maxbytes,"
                    + " default -Xmx)";
            raise = "raise -Xmx / -Dorg.bytedeco.javacpp.maxbytes (RESNET_SPARK_JAVA_OPTS)";
        } else {
            long executorMemory = conf.getSizeAsBytes("spark.executor.memory", "1g");
            long overhead = conf.contains("spark.executor.memoryOverhead")
                    ? conf.getSizeAsMb("spark.executor.memoryOverhead", "384") * MIB
                    : Math.max(384 * MIB, (long) (executorMemory
                    * conf.getDouble("spark.executor.memoryOverheadFactor", 0.10)));
            long maxBytes = javacppMaxBytes(conf.get("spark.executor.extraJavaOptions", ""), executorMemory);
            budget = Math.min(overhead, maxBytes);
            where = "an executor allows " + MemoryEstimate.gib(budget) + " of native memory (min of"
                    + " spark.executor.memoryOverhead " + MemoryEstimate.gib(overhead) + " and JavaCPP maxbytes "
                    + MemoryEstimate.gib(maxBytes) + ")";
            raise = "raise spark.executor.memoryOverhead and -Dorg.bytedeco.javacpp.maxbytes in"
                    + " spark.executor.extraJavaOptions";
        }
        String perWorker = spec + " at " + batchPerWorker + " images per worker needs about " + est.describe()
                + " per worker" + (workersPerJvm > 1 ? " x " + workersPerJvm + " workers" : "");
        if (need > budget) {
            throw new UsageException(perWorker + ", but " + where + "; lower --batch_size, add workers, or "
                    + raise);
        }
        LOG.info("memory: {}; {}", perWorker, where);
    }

    /**
     * The training master caches each fit's minibatches on the Java heap (serialized): one averaging round, or a
     * whole epoch under gradient sharing. When that exceeds Spark's storage memory, Spark drops the cached blocks
     * and every pass recomputes (decodes and augments) them again, so training slows down without failing: a
     * warning, naming what to change.
     *
     * @param batchesPerFit minibatches per worker handed to one fit
     * @return the warning logged, or null when the cache fits
     */
    static String warnIfCacheExceedsHeap(ResNetSpec spec, int batchPerWorker, long batchesPerFit, int workersPerJvm,
                                         boolean local, SparkConf conf) {
        long heap = local ? Runtime.getRuntime().maxMemory() : conf.getSizeAsBytes("spark.executor.memory", "1g");
        // Spark's unified memory: (heap - 300 MiB reserved) x spark.memory.fraction, all of it usable for storage
        long storage = (long) ((heap - 300 * MIB) * conf.getDouble("spark.memory.fraction", 0.6));
        long cached = MemoryEstimate.minibatchBytes(spec, batchPerWorker, batchesPerFit) * workersPerJvm;
        if (cached <= storage) {
            return null;
        }
        String warning = "each fit caches " + batchesPerFit + " minibatches per worker (" + MemoryEstimate.gib(cached)
                + (workersPerJvm > 1 ? " for " + workersPerJvm + " workers" : "") + ") on a heap with "
                + MemoryEstimate.gib(storage) + " of Spark storage memory; Spark will recompute what does not fit"
                + " (slower, not wrong): raise " + (local ? "-Xmx (RESNET_SPARK_JAVA_OPTS)" : "spark.executor.memory")
                + ", or use --training_master averaging with a smaller --averaging_frequency";
        LOG.warn(warning);
        return warning;
    }

    /** The executors' JavaCPP maxbytes from their JVM options, else JavaCPP's default (the heap size). */
    static long javacppMaxBytes(String javaOptions, long heapBytes) {
        for (String opt : javaOptions.trim().split("\\s+")) {
            if (opt.startsWith("-Dorg.bytedeco.javacpp.maxbytes=")) {
                return Pointer.parseBytes(opt.substring(opt.indexOf('=') + 1), heapBytes);
            }
        }
        return heapBytes;
    }
}
