package org.resnetspark.backend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Switches on DL4J's oneDNN path on CPU: call {@link #init()} before anything touches ND4J (first thing in
 * {@code main}, in {@link BackendSparkPlugin} on executors, in the tests' JUnit extension).
 *
 * <p>DL4J 1.0.0-M2.1 ships with its oneDNN layer helpers (convolution, batch norm, pooling) off, for two
 * reasons that both have to be fixed: the system property {@value #HELPERS_DISABLE} defaults to {@code true},
 * and DL4J's oneDNN check looks for a class ND4J renamed (fixed by the shim {@code org.nd4j.nativeblas.Nd4jCpu}).
 * The third part is a libnd4j build with oneDNN: {@code init()} picks one of the {@code nd4j-native} classifier
 * jars on the class path from the CPU flags (AVX-512 → AVX2 → plain; the AVX-512 build dies with SIGILL on an
 * AVX2-only CPU) through JavaCPP's platform extension, which must be set before JavaCPP's {@code Loader} reads
 * its properties, i.e. before ND4J loads.
 *
 * <p>Overrides: {@code -D}{@value #BACKEND_PROPERTY} or the environment variable {@value #BACKEND_ENV}
 * ({@code auto|plain|avx2|avx512}; the property wins); {@code -D}{@value #HELPERS_DISABLE}{@code =true} keeps the
 * helpers off; an explicit {@code -D}{@value #PLATFORM_EXTENSION} is respected as is. Idempotent and
 * thread-safe. On the CUDA build it only logs the backend.
 */
public final class Backend {

    public static final String BACKEND_PROPERTY = "resnet.spark.backend";
    public static final String BACKEND_ENV = "RESNET_SPARK_BACKEND";
    public static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    public static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";
    static final String CUDA_BACKEND_CLASS = "org.nd4j.linalg.jcublas.JCublasBackend";
    static final String NATIVE_BINDINGS = "org/nd4j/linalg/cpu/nativecpu/bindings/";

    private static final Logger log = LoggerFactory.getLogger(Backend.class);
    private static volatile BackendStatus status;

    /** The libnd4j CPU builds this project can select. */
    public enum Build {
        /** linux-x86_64: no oneDNN (DL4J as shipped). */
        PLAIN("-"),
        ONEDNN_AVX2("-onednn-avx2"),
        ONEDNN_AVX512("-onednn-avx512");

        /**
         * The JavaCPP platform extension; "-" is an extension Nd4jCpuPresets declares that has no jar, so JavaCPP
         * falls back to the build without extension.
         */
        public final String extension;

        Build(String extension) {
            this.extension = extension;
        }

        /** The classifier suffix, e.g. "linux-x86_64-onednn-avx2". */
        public String classifier(String platform) {
            return this == PLAIN ? platform : platform + extension;
        }
    }

    private Backend() {
    }

    /**
     * Selects the build and enables the helpers (once per JVM), initializes ND4J, checks which helpers DL4J
     * really creates and logs one line about it. Later calls return the first call's result.
     */
    public static BackendStatus init() {
        BackendStatus s = status;
        if (s != null) {
            return s;
        }
        synchronized (Backend.class) {
            if (status == null) {
                status = doInit();
            }
            return status;
        }
    }

    /** The status of the first {@link #init()}, or null before it. */
    public static BackendStatus status() {
        return status;
    }

    private static BackendStatus doInit() {
        ClassLoader cl = classLoader();
        if (cl.getResource(CUDA_BACKEND_CLASS.replace('.', '/') + ".class") != null
                && cl.getResource(NATIVE_BINDINGS + "Nd4jCpu.class") == null) {
            BackendStatus s = BackendStatus.cuda();
            log.info("ND4J backend: {}", s.describe());
            return s;
        }

        String platform = platform();
        String choice;
        Build build = null;
        String userExtension = System.getProperty(PLATFORM_EXTENSION);
        if (userExtension != null) {
            choice = "-D" + PLATFORM_EXTENSION + "=" + userExtension + " as given";
        } else {
            Selection sel = select(requested(), CpuFeatures.detect(), platform, cl);
            build = sel.build();
            choice = sel.reason();
            System.setProperty(PLATFORM_EXTENSION, build.extension);
        }
        boolean helpersUserSet = System.getProperty(HELPERS_DISABLE) != null;
        if (!helpersUserSet) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
        boolean helpersWanted = !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE));

        BackendStatus s = NativeCpuProbe.probe(platform, choice, helpersWanted);
        if (build != null && s.loadedBuild() != null && !s.loadedBuild().equals(build.classifier(platform))) {
            log.warn("ND4J loaded {} instead of the selected {}: was ND4J initialized before Backend.init()?",
                    s.loadedBuild(), build.classifier(platform));
        }
        if (helpersWanted && build != Build.PLAIN && !s.oneDnnHelpersActive()) {
            log.warn("ND4J backend: {} — oneDNN helpers expected but NOT active", s.describe());
        } else {
            log.info("ND4J backend: {}", s.describe());
        }
        return s;
    }

    /** The user's request: system property, else environment, else "auto". */
    static String requested() {
        String r = System.getProperty(BACKEND_PROPERTY);
        if (r == null || r.isBlank()) {
            r = System.getenv(BACKEND_ENV);
        }
        return r == null || r.isBlank() ? "auto" : r.trim().toLowerCase(Locale.ROOT);
    }

    /** A chosen build and why. */
    record Selection(Build build, String reason) {
    }

    /**
     * The build for a request on a CPU, among the builds whose jar is on the class path. An explicit request
     * the CPU cannot run (avx512 on an AVX2 CPU) or whose jar is missing falls back like "auto", with the
     * reason saying so: a SIGILL kills the JVM without a Java stack trace.
     */
    static Selection select(String requested, CpuFeatures cpu, String platform, ClassLoader cl) {
        Build wanted = switch (requested) {
            case "plain", "none", "off", "generic" -> Build.PLAIN;
            case "avx2", "onednn-avx2" -> Build.ONEDNN_AVX2;
            case "avx512", "onednn-avx512" -> Build.ONEDNN_AVX512;
            case "auto", "" -> null;
            default -> {
                log.warn("Unknown {}/{} '{}': expected auto, plain, avx2 or avx512; using auto",
                        BACKEND_PROPERTY, BACKEND_ENV, requested);
                yield null;
            }
        };
        String cpuText = "CPU: " + cpu.describe();
        if (wanted == Build.PLAIN) {
            return new Selection(Build.PLAIN, "requested plain");
        }
        String note = "";
        if (wanted != null) {
            if (runnable(wanted, cpu) && available(wanted, platform, cl)) {
                return new Selection(wanted, "requested " + requested + ", " + cpuText);
            }
            note = "requested " + requested + " but " + (runnable(wanted, cpu) ? "its jar is missing" : "the CPU lacks it")
                    + ", ";
        } else {
            note = "auto, ";
        }
        for (Build b : new Build[] {Build.ONEDNN_AVX512, Build.ONEDNN_AVX2}) {
            if (runnable(b, cpu) && available(b, platform, cl)) {
                return new Selection(b, note + cpuText);
            }
        }
        return new Selection(Build.PLAIN, note + cpuText + ", no usable oneDNN build");
    }

    static boolean runnable(Build b, CpuFeatures cpu) {
        return switch (b) {
            case PLAIN -> true;
            case ONEDNN_AVX2 -> cpu.hasAvx2();
            case ONEDNN_AVX512 -> cpu.hasAvx512();
        };
    }

    static boolean available(Build b, String platform, ClassLoader cl) {
        return cl.getResource(NATIVE_BINDINGS + b.classifier(platform) + "/" + System.mapLibraryName("jnind4jcpu"))
                != null;
    }

    /** JavaCPP's platform name, computed without touching JavaCPP (whose Loader caches its properties). */
    static String platform() {
        String p = System.getProperty("org.bytedeco.javacpp.platform");
        if (p != null) {
            return p;
        }
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        os = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macosx" : os.startsWith("windows") ? "windows" : os;
        arch = switch (arch) {
            case "amd64", "x86-64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm64";
            default -> arch;
        };
        return os + "-" + arch;
    }

    private static ClassLoader classLoader() {
        ClassLoader cl = Backend.class.getClassLoader();
        return cl != null ? cl : ClassLoader.getSystemClassLoader();
    }
}
