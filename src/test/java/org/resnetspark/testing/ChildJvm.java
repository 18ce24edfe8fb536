package org.resnetspark.testing;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command lines for a second JVM on this test JVM's classpath, as {@code bin/resnet-spark} starts one: Java 17
 * module flags, temp files, JavaCPP cache and test logging under {@code target/}.
 */
public final class ChildJvm {

    private ChildJvm() {
    }

    /** {@code java <flags> -cp <test classpath> <mainClass> <args>}. */
    public static List<String> command(List<String> jvmFlags, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("@" + new File("conf/java17.jvmopts").getAbsolutePath());
        cmd.add("-Xmx2g");
        cmd.add("-Djava.io.tmpdir=" + new File("target/tmp").getAbsolutePath());
        cmd.add("-Dorg.bytedeco.javacpp.cachedir=" + new File("target/javacpp-cache").getAbsolutePath());
        cmd.add("-Dlog4j2.configurationFile=" + new File("src/test/resources/log4j2-test.properties")
                .getAbsolutePath());
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** Spark properties (as system properties) for a local driver: loopback, no UI, temp files under target/. */
    public static List<String> localSpark(int threads) {
        return List.of("-Dspark.master=local[" + threads + "]", "-Dspark.ui.enabled=false",
                "-Dspark.driver.host=127.0.0.1",
                "-Dspark.local.dir=" + new File("target/spark-tmp").getAbsolutePath());
    }
}
