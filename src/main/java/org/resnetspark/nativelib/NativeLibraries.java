package org.resnetspark.nativelib;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the project's JNI libraries, which the build compiles from {@code src/main/c} into the classpath under
 * {@value #RESOURCE_DIR} (Linux x86-64 only), so that executors need nothing installed.
 *
 * <p>Guarantees: each library is extracted to a new temporary directory, loaded, and the directory deleted again
 * (a loaded library's file is no longer needed on Linux), so nothing is left behind.
 */
public final class NativeLibraries {

    /** Where the build puts the libraries on the classpath. */
    public static final String RESOURCE_DIR = "/native/linux-x86_64/";

    private static final Logger LOG = LoggerFactory.getLogger(NativeLibraries.class);

    private NativeLibraries() {
    }

    /**
     * Why the libraries cannot be loaded in this JVM (another platform, or a build without them), or null when
     * they are all on the classpath of a Linux x86-64 JVM.
     */
    public static String unavailableReason(String... names) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "built for linux-x86_64 only, this is " + os + "-" + arch;
        }
        for (String name : names) {
            if (NativeLibraries.class.getResource(RESOURCE_DIR + name) == null) {
                return RESOURCE_DIR + name + " is not on the classpath (built without gcc or its headers)";
            }
        }
        return null;
    }

    /** Loads {@code names} from the classpath, in order (a library's dependencies first). */
    public static void load(String... names) throws IOException {
        Path dir = Files.createTempDirectory("resnet-spark-native");
        try {
            for (String name : names) {
                Path file = dir.resolve(name);
                try (InputStream in = NativeLibraries.class.getResourceAsStream(RESOURCE_DIR + name)) {
                    if (in == null) {
                        throw new IOException(RESOURCE_DIR + name + " missing from the classpath");
                    }
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                }
                System.load(file.toString());
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.debug("could not delete {}: {}", dir, e.toString());
        }
    }
}
