package org.resnetspark.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.backend.Backend;
import org.resnetspark.backend.BatchNormHelpers;
import org.resnetspark.backend.BackendStatus;
import org.resnetspark.backend.NativeBatchNorm;
import org.resnetspark.cli.ModelOptions;
import org.resnetspark.cli.UsageException;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ModelSummary;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code bench train}: the median time of a training step (forward + loss + backward + updater) of one ResNet
 * on one synthetic minibatch, in this JVM, without Spark. With {@code --compare_helpers} it first measures the
 * baseline "DL4J as shipped" (plain libnd4j build, layer helpers off) in a child JVM — the backend is fixed
 * when ND4J loads, once per JVM — and reports the ratio of the two, measured in the same run.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Training-step throughput on synthetic data (single process, no Spark): median ms/step,"
                + " images/s, GFLOP/s (3 x 2 x MACs per image) and the ND4J backend/helpers in use.")
public final class TrainBenchCommand implements Callable<Integer> {

    static final Set<String> VALUE_OPTIONS = Set.of("--steps", "--warmup", "--helpers", "--batchnorm",
            "--baseline_steps", "--baseline_warmup");
    static final Set<String> FLAG_OPTIONS = Set.of("--json", "--compare_helpers");

    @Mixin
    ModelOptions model;

    @Option(names = "--batch_size", paramLabel = "B",
            description = "Minibatch size. Default: 128 (cifar10), 32 (imagenet).")
    Integer batchSize;

    @Option(names = "--steps", paramLabel = "K", defaultValue = "10",
            description = "Timed steps (the median is reported). Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "3",
            description = "Untimed steps first (workspaces, oneDNN primitive caches). Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--helpers", paramLabel = "on|off", defaultValue = "on",
            description = "DL4J's layer helpers (oneDNN conv/batch norm/pooling) for this run. 'off' keeps the"
                    + " libnd4j build this JVM loaded. Default: ${DEFAULT-VALUE}.")
    String helpers;

    @Option(names = "--batchnorm", paramLabel = "planar|dl4j", defaultValue = "planar",
            description = "Batch-norm helper with helpers on: 'planar' (ours, what training uses) or 'dl4j' (DL4J's"
                    + " oneDNN helper as shipped). Default: ${DEFAULT-VALUE}.")
    String batchnorm;

    @Option(names = "--compare_helpers",
            description = "Also measure the baseline (plain libnd4j build, helpers off: DL4J as shipped) in a"
                    + " child JVM first, and report the speed-up.")
    boolean compareHelpers;

    @Option(names = "--baseline_steps", paramLabel = "K",
            description = "Timed steps of the baseline (it can be 4-8x slower). Default: --steps.")
    Integer baselineSteps;

    @Option(names = "--baseline_warmup", paramLabel = "W",
            description = "Warm-up steps of the baseline. Default: --warmup.")
    Integer baselineWarmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Weights and data seed.")
    long seed;

    @Option(names = "--json", description = "Print one JSON object (and nothing else) on stdout.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    @Override
    public Integer call() throws Exception {
        ResNetSpec spec = resolveSpec();
        int batch = batchSize != null ? batchSize : (spec.family() == DatasetFamily.IMAGENET ? 32 : 128);
        if (batch < 1 || steps < 1 || warmup < 0) {
            throw new UsageException("--batch_size and --steps must be >= 1, --warmup >= 0");
        }
        boolean helpersOn = switch (helpers) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new UsageException("--helpers: invalid value '" + helpers + "': expected on or off");
        };

        boolean planarBatchNorm = switch (batchnorm) {
            case "planar" -> true;
            case "dl4j" -> false;
            default -> throw new UsageException("--batchnorm: invalid value '" + batchnorm
                    + "': expected planar or dl4j");
        };
        Map<String, Object> baseline = compareHelpers ? runBaseline() : null;

        BackendStatus backend = Backend.init();
        String previous = System.getProperty(Backend.HELPERS_DISABLE);
        if (!helpersOn) {
            System.setProperty(Backend.HELPERS_DISABLE, "true"); // read by DL4J when a layer is created
        }
        Map<String, Object> result;
        try {
            result = measure(spec, batch, backend, planarBatchNorm);
        } finally {
            if (previous == null) {
                System.clearProperty(Backend.HELPERS_DISABLE);
            } else {
                System.setProperty(Backend.HELPERS_DISABLE, previous);
            }
        }
        if (baseline != null) {
            result.put("baseline", baseline);
            double ratio = ((Number) baseline.get("ms_per_step")).doubleValue()
                    / ((Number) result.get("ms_per_step")).doubleValue();
            result.put("speedup_vs_baseline", round(ratio, 2));
        }
        print(result);
        return 0;
    }

    /** --dataset if given; else ImageNet when the size is an ImageNet depth (18..200), else CIFAR-10. */
    private ResNetSpec resolveSpec() {
        DatasetFamily family = model.family(null);
        if (family != null) {
            return model.spec(family);
        }
        try {
            return model.spec(DatasetFamily.IMAGENET);
        } catch (UsageException e) {
            if (!e.getMessage().startsWith("--resnet_size")) {
                throw e;
            }
            return model.spec(DatasetFamily.CIFAR10);
        }
    }

    private Map<String, Object> measure(ResNetSpec spec, int batch, BackendStatus backend, boolean planarBatchNorm) {
        ResNetBuilder builder = ResNetBuilder.of(spec).seed(seed);
        ComputationGraph net = builder.build();
        if (planarBatchNorm) {
            BatchNormHelpers.install(net);
        }
        long macs = ModelSummary.of(net, builder.inputType()).macsPerImage();

        Nd4j.getRandom().setSeed(seed);
        int s = spec.imageSize();
        long[] shape = spec.format() == CNN2DFormat.NCHW ? new long[] {batch, 3, s, s} : new long[] {batch, s, s, 3};
        INDArray x = Nd4j.randn(spec.dataType(), shape);
        INDArray y = Nd4j.zeros(spec.dataType(), batch, spec.numClasses());
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, r.nextInt(spec.numClasses()), 1.0);
        }
        DataSet ds = new DataSet(x, y);

        for (int i = 0; i < warmup; i++) {
            net.fit(ds);
        }
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            net.fit(ds);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        double score = net.score();
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = steps % 2 == 1 ? sorted[steps / 2] : (sorted[steps / 2 - 1] + sorted[steps / 2]) / 2;
        double imgPerSec = batch * 1000.0 / median;
        double gflops = 3.0 * 2.0 * macs * batch / (median / 1000.0) / 1e9;
        Map<String, String> helperUse = helperUse(net);
        boolean anyHelper = helperUse.values().stream().anyMatch(v -> !v.startsWith("0/"));

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("resnet_size", spec.size());
        o.put("resnet_version", spec.version().flagValue());
        o.put("dataset", spec.family().flagValue());
        o.put("image_size", spec.imageSize());
        o.put("data_format", spec.format() == CNN2DFormat.NCHW ? "channels_first" : "channels_last");
        o.put("dtype", spec.dataType() == DataType.HALF ? "fp16" : "fp32");
        o.put("batch_size", batch);
        o.put("warmup", warmup);
        o.put("steps", steps);
        o.put("ms_per_step", round(median, 1));
        o.put("ms_per_step_min", round(sorted[0], 1));
        o.put("ms_per_step_max", round(sorted[steps - 1], 1));
        o.put("images_per_sec", round(imgPerSec, 2));
        o.put("gflops_per_sec", round(gflops, 2));
        o.put("macs_per_image", macs);
        String build = backend.shortName().replace("+helpers", "");
        o.put("backend", build + (anyHelper ? "+helpers" : ""));
        o.put("backend_build", backend.loadedBuild());
        o.put("onednn_in_libnd4j", backend.nativeOneDnn());
        o.put("helpers", helperUse);
        o.put("native_batchnorm", NativeBatchNorm.status());
        o.put("omp_threads", backend.ompThreads());
        o.put("final_loss", round(score, 4));
        o.put("load_avg_1m", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        return o;
    }

    /** Per layer type: "helpers/layers helper-class", e.g. "21/21 MKLDNNConvHelper". */
    static Map<String, String> helperUse(ComputationGraph net) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        for (Layer layer : net.getLayers()) {
            String type = layer instanceof ConvolutionLayer ? "convolution"
                    : layer instanceof BatchNormalization ? "batchnorm"
                    : layer instanceof SubsamplingLayer ? "pooling" : null;
            if (type == null) {
                continue;
            }
            int[] c = counts.computeIfAbsent(type, k -> new int[2]);
            c[1]++;
            if (layer.getHelper() != null) {
                c[0]++;
                names.put(type, layer.getHelper().getClass().getSimpleName());
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        counts.forEach((type, c) -> out.put(type, c[0] + "/" + c[1] + (names.containsKey(type) ? " " + names.get(type) : "")));
        return out;
    }

    /** The baseline in a child JVM: the same command with the plain build and helpers off, as JSON. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> runBaseline() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-D" + Backend.BACKEND_PROPERTY + "=") && !a.startsWith("-D" + Backend.HELPERS_DISABLE + "=")
                    && !a.startsWith("-D" + Backend.PLATFORM_EXTENSION + "=") && !a.startsWith("-agentlib:jdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-D" + Backend.BACKEND_PROPERTY + "=plain");
        cmd.add("-D" + Backend.HELPERS_DISABLE + "=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("org.resnetspark.cli.Main");
        cmd.addAll(childArgs(commandSpec.root().commandLine().getParseResult().originalArgs()));
        cmd.addAll(List.of("--json", "--helpers", "off",
                "--steps", String.valueOf(baselineSteps != null ? baselineSteps : steps),
                "--warmup", String.valueOf(baselineWarmup != null ? baselineWarmup : warmup)));
        if (!json) {
            System.err.println("bench: measuring the baseline (plain build, helpers off) in a child JVM ...");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().remove(Backend.BACKEND_ENV);
        Process p = pb.start();
        String last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || last == null) {
            throw new IllegalStateException("baseline child JVM failed (exit " + code + ")");
        }
        return new ObjectMapper().readValue(last, Map.class);
    }

    /** The original arguments without the ones the child gets its own values for. */
    static List<String> childArgs(List<String> original) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < original.size(); i++) {
            String a = original.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (FLAG_OPTIONS.contains(name)) {
                continue;
            }
            if (VALUE_OPTIONS.contains(name)) {
                if (!a.contains("=")) {
                    i++;
                }
                continue;
            }
            out.add(a);
        }
        return out;
    }

    private void print(Map<String, Object> o) throws IOException {
        if (json) {
            System.out.println(new ObjectMapper().writeValueAsString(o));
            return;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("ResNet-%s v%s (%s, %sx%s, %s, %s), batch %s: median of %s steps after %s warm-ups%n",
                o.get("resnet_size"), o.get("resnet_version"), o.get("dataset"), o.get("image_size"), o.get("image_size"),
                o.get("data_format"), o.get("dtype"), o.get("batch_size"), o.get("steps"), o.get("warmup")));
        sb.append(String.format("backend      %s (build %s, OMP threads %s), helpers %s, native batch norm %s%n",
                o.get("backend"), o.get("backend_build"), o.get("omp_threads"), o.get("helpers"),
                o.get("native_batchnorm")));
        sb.append(String.format("ms/step      %s (min %s, max %s)%n", o.get("ms_per_step"), o.get("ms_per_step_min"),
                o.get("ms_per_step_max")));
        sb.append(String.format("images/s     %s%n", o.get("images_per_sec")));
        sb.append(String.format("GFLOP/s      %s (training = 3 x 2 x %.3f GMAC per image)%n", o.get("gflops_per_sec"),
                ((Number) o.get("macs_per_image")).doubleValue() / 1e9));
        if (o.get("baseline") instanceof Map<?, ?> b) {
            sb.append(String.format("baseline     %s: %s ms/step, %s images/s (child JVM, median of %s)%n",
                    b.get("backend"), b.get("ms_per_step"), b.get("images_per_sec"), b.get("steps")));
            sb.append(String.format("speed-up     %sx%n", o.get("speedup_vs_baseline")));
        }
        sb.append(String.format("load avg     %s (1 min, %s CPUs)%n", o.get("load_avg_1m"), o.get("cpus")));
        System.out.print(sb);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
