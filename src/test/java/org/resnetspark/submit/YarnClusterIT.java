package org.resnetspark.submit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.resnetspark.data.imagenet.RawImageNetFixture;
import org.resnetspark.data.imagenet.convert.ConvertSettings;
import org.resnetspark.data.imagenet.convert.ImageNetConverter;
import org.resnetspark.testing.LocalSpark;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's YARN command, for real: Hadoop's MiniDFSCluster and MiniYARNCluster run in this JVM, ImageNet-schema
 * TFRecords go onto that HDFS, and {@code submit/yarn-submit cluster -- train ...} submits the built application
 * jar ({@code mvn package}, so this runs in Maven's integration-test phase). The driver runs in a YARN container
 * (cluster deploy mode), the executors in two more; the checkpoint, {@code metrics.json} and {@code report.html}
 * must arrive on HDFS.
 *
 * <p>No Spark distribution is installed here, so the test lays one out: {@code SPARK_HOME/jars} holds Spark's own
 * dependency closure (Spark, Scala, the Hadoop 3 client, spark-yarn: what a "with Hadoop" distribution ships, and not
 * resnet-spark's dependencies, which the application jar must bring) and {@code bin/spark-submit} starts Spark's
 * {@code SparkSubmit} on them, as the distribution's script does.
 */
class YarnClusterIT {

    private static final File WORK = new File("target/yarn-it").getAbsoluteFile();
    private static MiniDFSCluster dfs;
    private static MiniYARNCluster yarn;
    private static File hadoopConfDir;
    private static File sparkHome;

    @BeforeAll
    static void startClusters() throws Exception {
        deleteRecursively(WORK);
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(WORK, "dfs").getPath());
        dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        dfs.waitActive();

        // not derived from the MiniDFSCluster's configuration: that names test-only classes (StaticMapping) that a
        // cluster's Hadoop client does not have
        YarnConfiguration yconf = new YarnConfiguration();
        // MiniYARNCluster gives its NodeManagers this (default 4 GB), not yarn.nodemanager.resource.memory-mb
        yconf.setInt(YarnConfiguration.YARN_MINICLUSTER_NM_PMEM_MB, 12 * 1024);
        yconf.setInt(YarnConfiguration.NM_VCORES, 4);
        yconf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
        yconf.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 12 * 1024);
        // ND4J keeps its tensors off-heap; the container sizes below budget for it, the checks would only add noise
        yconf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        yconf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // the capacity scheduler's one queue (what capacity-scheduler.xml would hold)
        yconf.set("yarn.scheduler.capacity.root.queues", "default");
        yconf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        yconf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
        yconf.set("yarn.scheduler.capacity.root.default.user-limit-factor", "1");
        yconf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        yconf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        yconf.set("yarn.scheduler.capacity.maximum-am-resource-percent", "1.0");
        // one node: never hold a container back waiting for a node-local slot
        yconf.set("yarn.scheduler.capacity.node-locality-delay", "-1");
        yconf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        // clients (spark-submit, the AM) read yarn-site.xml after core-site.xml: it must not reset the default FS
        yconf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
        yconf.set(YarnConfiguration.NM_LOCAL_DIRS, new File(WORK, "nm-local").getPath());
        yconf.set(YarnConfiguration.NM_LOG_DIRS, new File(WORK, "nm-logs").getPath());
        yarn = new MiniYARNCluster("resnet-spark-it", 1, 1, 1);
        yarn.init(yconf);
        yarn.start();
        Configuration live = yarn.getConfig();
        long deadline = System.currentTimeMillis() + 60_000;
        while (live.get(YarnConfiguration.RM_ADDRESS, "").endsWith(":0")) { // the RM publishes its port late
            assertTrue(System.currentTimeMillis() < deadline, "the ResourceManager never published its address");
            Thread.sleep(100);
        }
        hadoopConfDir = new File(WORK, "hadoop-conf");
        hadoopConfDir.mkdirs();
        try (OutputStream out = Files.newOutputStream(new File(hadoopConfDir, "yarn-site.xml").toPath())) {
            live.writeXml(out);
        }
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
        try (OutputStream out = Files.newOutputStream(new File(hadoopConfDir, "core-site.xml").toPath())) {
            core.writeXml(out);
        }
    }

    @AfterAll
    static void stopClusters() {
        if (yarn != null) {
            yarn.stop();
        }
        if (dfs != null) {
            dfs.shutdown();
        }
    }

    @Test
    void clusterModeTrainsFromHdfsAndWritesCheckpointMetricsAndReportToHdfs() throws Exception {
        FileSystem fs = dfs.getFileSystem();
        String hdfs = fs.getUri().toString();
        fs.copyFromLocalFile(new Path(convertedShards().toUri()), new Path("/data/shards"));
        File sparkHome = sparkDistribution();

        List<String> cmd = new ArrayList<>(List.of("submit/yarn-submit", "cluster",
                "--conf", "spark.executor.instances=2",
                "--conf", "spark.executor.cores=1",
                "--conf", "spark.task.cpus=1",
                "--conf", "spark.executorEnv.OMP_NUM_THREADS=1",
                "--conf", "spark.executor.memory=1g",
                "--conf", "spark.executor.memoryOverhead=2g",
                "--conf", "spark.driver.memory=1g",
                "--conf", "spark.driver.memoryOverhead=2g",
                "--conf", "spark.executor.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=1536m",
                "--conf", "spark.driver.extraJavaOptions=-Dorg.bytedeco.javacpp.maxbytes=1536m",
                "--conf", "spark.yarn.appMasterEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.executorEnv.JAVA_HOME=" + System.getProperty("java.home"),
                "--conf", "spark.yarn.submit.waitAppCompletion=true",
                "--", "train", "--data_dir", hdfs + "/data/shards", "--model_dir", hdfs + "/models/r18",
                "--resnet_size", "18", "--image_size", "32", "--batch_size", "16", "--train_epochs", "1",
                "--max_train_steps", "2"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(new File(".").getAbsoluteFile())
                .redirectErrorStream(true).redirectOutput(new File(WORK, "spark-submit.log"));
        pb.environment().put("SPARK_HOME", sparkHome.getPath());
        pb.environment().put("HADOOP_CONF_DIR", hadoopConfDir.getPath());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("RESNET_SPARK_JAR", applicationJar().getPath());
        Process p = pb.start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        String log = Files.readString(new File(WORK, "spark-submit.log").toPath());
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "spark-submit still running after 10 minutes:\n" + tail(log));
        assertEquals(0, p.exitValue(), "spark-submit failed:\n" + tail(log));
        assertTrue(log.contains("final status: SUCCEEDED"), tail(log));

        Path model = new Path("/models/r18");
        assertTrue(fs.isFile(new Path(model, "checkpoints/epoch-0001.zip")), "checkpoint on HDFS");
        assertTrue(fs.isFile(new Path(model, "report.html")), "report.html on HDFS");
        JsonNode metrics;
        try (var in = fs.open(new Path(model, "metrics.json"))) {
            metrics = new ObjectMapper().readTree(in);
        }
        JsonNode epoch = metrics.get("epochs").get(0);
        assertEquals(2, epoch.get("global_step").asLong());
        assertTrue(epoch.get("eval").get("examples").asLong() > 0, "evaluated on the executors");
    }

    /** The fixture's photos as ImageNet-schema TFRecords (2 train + 1 validation shards), converted locally. */
    private static java.nio.file.Path convertedShards() throws IOException {
        java.nio.file.Path tmp = new File(WORK, "imagenet").toPath();
        RawImageNetFixture raw = RawImageNetFixture.create(tmp);
        java.nio.file.Path shards = tmp.resolve("shards");
        SparkSession spark = LocalSpark.start(2);
        try {
            ImageNetConverter.run(LocalSpark.context(spark), new ConvertSettings(raw.root.toString(),
                    shards.toString(), raw.labelsFile.toString(), null, null, raw.bboxCsv.toString(), 2, 1, 12345));
        } finally {
            spark.stop();
        }
        return shards;
    }

    /**
     * SPARK_HOME with jars/ (links to the jars of Spark's own dependency closure, resolved by this Maven from
     * src/test/spark-distribution/pom.xml) and a bin/spark-submit running SparkSubmit on them.
     */
    /**
     * The application jar leaves Spark's own libraries to Spark: no class in it is also in the distribution's
     * jars (on a cluster Spark's copy would win, and the two copies could be of different versions).
     */
    @Test
    void applicationJarHasNoClassThatSparkShips() throws Exception {
        java.util.Set<String> app = classes(applicationJar());
        List<String> shared = new ArrayList<>();
        for (File jar : new File(sparkDistribution(), "jars").listFiles()) {
            for (String c : classes(jar)) {
                if (app.contains(c)) {
                    shared.add(c + " (" + jar.getName() + ")");
                }
            }
        }
        assertEquals(List.of(), shared.subList(0, Math.min(shared.size(), 20)),
                shared.size() + " classes are both in the application jar and in Spark's jars");
    }

    private static java.util.Set<String> classes(File jar) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jar)) {
            return z.stream().map(java.util.zip.ZipEntry::getName).filter(n -> n.endsWith(".class")
                    && !n.startsWith("META-INF/")).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static synchronized File sparkDistribution() throws Exception {
        if (sparkHome == null) {
            sparkHome = layOutSparkDistribution();
        }
        return sparkHome;
    }

    private static File layOutSparkDistribution() throws Exception {
        File home = new File(WORK, "spark-home");
        File jars = new File(home, "jars");
        File bin = new File(home, "bin");
        File tmp = new File(WORK, "tmp");
        jars.mkdirs();
        bin.mkdirs();
        tmp.mkdirs();
        File list = new File(WORK, "spark-jars.txt");
        String mvn = new File(System.getProperty("maven.home", ""), "bin/mvn").getPath();
        List<String> cmd = new ArrayList<>(List.of(new File(mvn).canExecute() ? mvn : "mvn", "-B", "-q",
                "-f", "src/test/spark-distribution/pom.xml", "dependency:build-classpath",
                "-Dmdep.outputFile=" + list.getPath(),
                "-Dspark.version=" + System.getProperty("spark.version", "3.5.9"),
                "-Dhadoop.version=" + System.getProperty("hadoop.version", "3.3.4")));
        if (System.getProperty("maven.repo.local") != null) {
            cmd.add("-Dmaven.repo.local=" + System.getProperty("maven.repo.local"));
        }
        Process resolve = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(new File(WORK, "spark-jars.log")).start();
        assertTrue(resolve.waitFor(5, TimeUnit.MINUTES) && resolve.exitValue() == 0,
                "resolving the Spark distribution failed: " + Files.readString(new File(WORK, "spark-jars.log")
                        .toPath()));
        for (String jar : Files.readString(list.toPath()).strip().split(File.pathSeparator)) {
            File f = new File(jar);
            Files.createSymbolicLink(new File(jars, f.getName()).toPath(), f.toPath());
        }
        File submit = new File(bin, "spark-submit");
        Files.writeString(submit.toPath(), """
                #!/usr/bin/env bash
                # what a Spark distribution's bin/spark-submit runs: SparkSubmit on SPARK_HOME/jars
                # (its temp files under target/, not /tmp)
                home="$(cd "$(dirname "$0")/.." && pwd)"
                exec "$JAVA_HOME/bin/java" -Xmx512m @"%s" -Djava.io.tmpdir="%s" -cp "$home/jars/*:$HADOOP_CONF_DIR" \\
                  org.apache.spark.deploy.SparkSubmit "$@"
                """.formatted(new File("conf/java17.jvmopts").getAbsolutePath(), tmp.getPath()),
                StandardCharsets.UTF_8);
        assertTrue(submit.setExecutable(true));
        return home;
    }

    private static File applicationJar() {
        File[] jars = new File("target").listFiles((d, n) -> n.startsWith("resnet-spark-") && n.endsWith("-app.jar"));
        assertTrue(jars != null && jars.length == 1, "one application jar in target/ (mvn package)");
        return jars[0].getAbsoluteFile();
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }

    private static void deleteRecursively(File f) throws IOException {
        if (f.exists()) {
            try (var paths = Files.walk(f.toPath())) {
                paths.sorted(java.util.Comparator.reverseOrder()).map(java.nio.file.Path::toFile)
                        .forEach(File::delete);
            }
        }
    }
}
