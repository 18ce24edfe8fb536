package org.resnetspark.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/resnet-spark}'s thread split for local workers: the real script, run from a copy of the project
 * layout that is already built (so it does not call Maven), with {@code nproc} reporting 8 cores and {@code java}
 * replaced by a script that prints the {@code OMP_NUM_THREADS} the JVM would have been started with.
 */
class LauncherThreadsTest {

    @TempDir
    Path tmp;

    private Path launcher;
    private Path fakes;

    @BeforeEach
    void builtProjectAndFakeCommands() throws IOException {
        Path home = tmp.resolve("home");
        launcher = Files.createDirectories(home.resolve("bin")).resolve("resnet-spark");
        Files.copy(Path.of("bin/resnet-spark"), launcher);
        Path sources = Files.createDirectories(home.resolve("src/main"));
        Path pom = Files.writeString(home.resolve("pom.xml"), "<project/>");
        // backdated, so the stamp written next is newer even where file times are coarse: no Maven build
        FileTime older = FileTime.fromMillis(System.currentTimeMillis() - 60_000);
        Files.setLastModifiedTime(sources, older);
        Files.setLastModifiedTime(pom, older);
        Path target = Files.createDirectories(home.resolve("target"));
        Files.writeString(target.resolve("classpath.txt"), "");
        Files.writeString(target.resolve(".resnet-spark-built"), "");
        fakes = Files.createDirectories(tmp.resolve("fakes"));
        script(fakes.resolve("nproc"), "echo 8");
        script(fakes.resolve("java"), "echo \"OMP=${OMP_NUM_THREADS:-unset}\"");
    }

    private String threads(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("OMP_NUM_THREADS");
        pb.environment().remove("SPARK_MASTER");
        pb.environment().put("PATH", fakes + File.pathSeparator + System.getenv("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.startsWith("OMP="), "the launcher must exec java without building: " + out);
        return out.substring(4);
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        assertTrue(file.toFile().setExecutable(true));
    }

    @Test
    void localWorkersShareTheCores() throws Exception {
        assertEquals("4", threads(Map.of(), "train", "--num_workers", "2"));
        assertEquals("2", threads(Map.of(), "train", "--num_workers=4"));
        assertEquals("1", threads(Map.of(), "train", "--num_workers", "16"), "never below one thread");
    }

    @Test
    void oneWorkerAClusterOrAUserSettingKeepTheThreads() throws Exception {
        assertEquals("unset", threads(Map.of(), "train"));
        assertEquals("unset", threads(Map.of(), "train", "--num_workers", "1"));
        assertEquals("unset", threads(Map.of("SPARK_MASTER", "yarn"), "train", "--num_workers", "2"));
        assertEquals("3", threads(Map.of("OMP_NUM_THREADS", "3"), "train", "--num_workers", "2"));
    }
}
