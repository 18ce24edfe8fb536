package org.resnetspark.testing;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;

/**
 * Spark {@code local-cluster[N,1,MB]}: a standalone master and worker in this JVM that launch N real executor
 * JVMs, the only local mode where executors can die independently and where gradient sharing's Aeron traffic
 * crosses process boundaries. Executors get this JVM's classpath and the Java 17 module flags.
 */
public final class LocalCluster {

    private static final File AERON_DIRS = new File("target/aeron");

    private LocalCluster() {
    }

    /**
     * Stops the session, waits for its executor JVMs to exit, and deletes the Aeron directories they (or executors
     * killed earlier) left behind.
     */
    public static void stop(SparkSession spark) {
        String appId = spark.sparkContext().applicationId();
        List<ProcessHandle> running = executors(spark);
        spark.stop();
        for (ProcessHandle p : running) {
            try {
                p.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        File[] dirs = AERON_DIRS.listFiles((d, name) -> name.startsWith(appId + "-"));
        for (File dir : dirs == null ? new File[0] : dirs) {
            try (var paths = Files.walk(dir.toPath())) {
                paths.sorted(java.util.Comparator.reverseOrder()).map(java.nio.file.Path::toFile).forEach(File::delete);
            } catch (IOException | UncheckedIOException e) {
                // an executor's own shutdown hook deleted it meanwhile
            }
        }
    }

    public static SparkSession start(int executors, int executorMb) {
        // getOrCreate would hand back a local[N] session another test class left running
        SparkSession.getActiveSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.getDefaultSession().foreach(s -> {
            s.stop();
            return null;
        });
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
        // Spark's worker builds executor command lines from SPARK_HOME/jars (set by surefire to target/spark-home)
        new File(System.getenv().getOrDefault("SPARK_HOME", "target/spark-home"), "jars").mkdirs();
        File tmp = new File("target/spark-tmp");
        tmp.mkdirs();
        String jvmFlags;
        try {
            jvmFlags = String.join(" ", Files.readAllLines(new File("conf/java17.jvmopts").toPath()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        jvmFlags += " -Djava.io.tmpdir=" + new File("target/tmp").getAbsolutePath()
                + " -Dorg.bytedeco.javacpp.cachedir=" + new File("target/javacpp-cache").getAbsolutePath()
                + " -Daeron.publication.unblock.timeout=60000000000 -Daeron.driver.timeout=120000 -Daeron.dir.delete.on.shutdown=true"
                // a killed executor never deletes its Aeron media-driver directory (~0.5 GB); keep them under target/
                // with a name per executor (Spark fills in the ids; a relaunched executor gets a new one), see stop()
                + " -Daeron.dir=" + AERON_DIRS.getAbsolutePath() + "/{{APP_ID}}-{{EXECUTOR_ID}}"
                + " -Dlog4j2.configurationFile=" + new File("src/test/resources/log4j2-test.properties")
                .getAbsolutePath();
        SparkConf conf = new SparkConf()
                .setMaster("local-cluster[" + executors + ",1," + executorMb + "]")
                .setAppName("resnet-spark-local-cluster-test")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.local.dir", tmp.getAbsolutePath())
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.extraJavaOptions", jvmFlags)
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.executorEnv.SPARK_LOCAL_IP", "127.0.0.1")
                .set("spark.plugins", "org.resnetspark.backend.BackendSparkPlugin")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", "org.resnetspark.data.kryo.ResNetKryoRegistrator")
                .set("spark.kryoserializer.buffer.max", "512m")
                .set("spark.task.maxFailures", "4");
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        waitForExecutors(spark, executors);
        return spark;
    }

    private static void waitForExecutors(SparkSession spark, int executors) {
        long deadline = System.currentTimeMillis() + 120_000;
        while (spark.sparkContext().getExecutorMemoryStatus().size() - 1 < executors) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("local-cluster executors did not register within 120 s");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** The executor JVMs of this application (live processes). */
    public static List<ProcessHandle> executors(SparkSession spark) {
        String appId = spark.sparkContext().applicationId();
        return ProcessHandle.allProcesses()
                .filter(p -> {
                    String c = commandLine(p.pid());
                    return c.contains("CoarseGrainedExecutorBackend") && c.contains(appId);
                })
                .toList();
    }

    /** The full command line (ProcessHandle's is cut short for long class paths). */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(pid), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Kills one executor JVM with SIGKILL, as a lost node or an OOM-killer would. */
    public static Optional<Long> killOneExecutor(SparkSession spark) {
        return executors(spark).stream().findFirst().map(p -> {
            p.destroyForcibly();
            return p.pid();
        });
    }
}
