package org.resnetspark.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.testing.ChildJvm;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials handed to a job the usual ways (Hadoop filesystem keys as {@code spark.hadoop.*} properties, Spark's
 * own secret, an executor environment variable) never reach what the job writes: its log (the product's logging
 * configuration with everything at INFO, Spark's and DL4J's lines included), {@code metrics.json}, {@code report.html}, checkpoints or an exported bundle.
 */
class CredentialLeakTest {

    private static final String SECRET = "rs-test-credential-7f3a9c";

    @Test
    void credentialsGivenAsPropertiesAppearInNoOutput(@TempDir File dir) throws Exception {
        File model = new File(dir, "model");
        File export = new File(dir, "export");
        List<String> flags = new ArrayList<>(ChildJvm.localSpark(2));
        flags.addAll(List.of("-Dspark.hadoop.fs.s3a.access.key=AKIA" + SECRET,
                "-Dspark.hadoop.fs.s3a.secret.key=" + SECRET,
                "-Dspark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net=" + SECRET,
                "-Dspark.authenticate.secret=" + SECRET,
                "-Dspark.executorEnv.AWS_SECRET_ACCESS_KEY=" + SECRET,
                "-Dlog4j2.configurationFile=" + infoLogging(dir)));
        StringBuilder output = new StringBuilder();
        output.append(run(dir, flags, List.of("train", "--use_synthetic_data", "--synthetic_images", "64",
                "--dataset", "cifar10", "--resnet_size", "8", "--image_size", "16", "--batch_size", "16",
                "--train_epochs", "2", "--epochs_between_evals", "1", "--model_dir", model.getPath())));
        output.append(run(dir, flags, List.of("export", "--model_dir", model.getPath(), "--export_dir",
                export.getPath())));
        assertTrue(new File(model, "metrics.json").isFile() && new File(export, "model.zip").isFile(),
                "the job wrote its outputs:\n" + output);
        assertTrue(output.toString().contains(" INFO "), "the log was captured at INFO");

        assertFalse(output.toString().contains(SECRET), "a credential in the log");
        int scanned = 0;
        for (File root : new File[] {model, export}) {
            try (Stream<Path> files = Files.walk(root.toPath())) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(contains(f), "a credential in " + f);
                    scanned++;
                }
            }
        }
        assertTrue(scanned >= 5, "metrics.json, report.html, checkpoint.json, checkpoints and the bundle: " + scanned);
    }

    /** conf/log4j2.properties with every logger at INFO. */
    private static String infoLogging(File dir) throws IOException {
        Path conf = dir.toPath().resolve("log4j2-info.properties");
        Files.writeString(conf, Files.readString(Path.of("conf/log4j2.properties")).replaceAll("(?m)level = \\w+$",
                "level = info"));
        return conf.toString();
    }

    private static String run(File dir, List<String> flags, List<String> args) throws Exception {
        File log = new File(dir, args.get(0) + ".log");
        Process p = new ProcessBuilder(ChildJvm.command(flags, "org.resnetspark.cli.Main", args))
                .redirectErrorStream(true).redirectOutput(log).start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), args.get(0) + " timed out");
        String out = Files.readString(log.toPath());
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /** The file's bytes, and for a zip (checkpoints, bundles) every entry's bytes, hold the secret. */
    private static boolean contains(Path f) throws IOException {
        byte[] bytes = Files.readAllBytes(f);
        if (new String(bytes, StandardCharsets.ISO_8859_1).contains(SECRET)) {
            return true;
        }
        if (bytes.length > 4 && bytes[0] == 'P' && bytes[1] == 'K') {
            try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(f))) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    if (new String(zip.readAllBytes(), StandardCharsets.ISO_8859_1).contains(SECRET)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
