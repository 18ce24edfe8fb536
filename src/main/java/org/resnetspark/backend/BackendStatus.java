package org.resnetspark.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What {@link Backend#init()} found.
 *
 * @param backend      ND4J's backend: "CPU" or "CUDA"
 * @param loadedBuild  the libnd4j build JavaCPP loaded, e.g. "linux-x86_64-onednn-avx2" (null when unknown)
 * @param choice       why that build (request, CPU flags, fallback)
 * @param nativeOneDnn libnd4j is built with oneDNN ({@code HAVE_ONEDNN}) and uses it ({@code isUseONEDNN()})
 * @param dl4jCheck    DL4J's own oneDNN check ({@code BaseMKLDNNHelper.mklDnnEnabled()}) passes
 * @param helpers      layer type → helper class DL4J created for a probe network ("none" when none)
 * @param ompThreads   libnd4j's thread count (OpenMP)
 */
public record BackendStatus(String backend, String loadedBuild, String choice, boolean nativeOneDnn,
                            boolean dl4jCheck, Map<String, String> helpers, int ompThreads) {

    public BackendStatus {
        helpers = new LinkedHashMap<>(helpers);
    }

    static BackendStatus cuda() {
        return new BackendStatus("CUDA", null, "CUDA build on the class path (cuDNN helpers are DL4J's own)",
                false, false, Map.of(), -1);
    }

    /**
     * True when every probed layer type (convolution, batch norm, pooling) got DL4J's "MKLDNN" helper and libnd4j
     * has oneDNN (on the plain build the same helpers run libnd4j's generic C++ ops).
     */
    public boolean oneDnnHelpersActive() {
        return nativeOneDnn && layerHelpersActive();
    }

    /** True when every probed layer type got DL4J's "MKLDNN" layer helper, whatever the libnd4j build. */
    public boolean layerHelpersActive() {
        return !helpers.isEmpty() && helpers.values().stream().allMatch(h -> h.startsWith("MKLDNN"));
    }

    /** Short name for reports: "onednn-avx2+helpers", "plain", "CUDA", ... */
    public String shortName() {
        if ("CUDA".equals(backend)) {
            return "cuda";
        }
        String build = loadedBuild == null ? "unknown" : loadedBuild.replaceFirst("^[a-z]+-[a-z0-9_]+-?", "");
        if (build.isEmpty()) {
            build = "plain";
        }
        return build + (layerHelpersActive() ? "+helpers" : "");
    }

    /** The one log line. */
    public String describe() {
        if ("CUDA".equals(backend)) {
            return "CUDA (" + choice + ")";
        }
        String h = helpers.isEmpty() ? "none" : helpers.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        return "CPU, libnd4j build " + (loadedBuild == null ? "unknown" : loadedBuild) + " (" + choice + ")"
                + ", oneDNN " + (nativeOneDnn ? "on" : "off") + " in libnd4j"
                + ", DL4J layer helpers " + (layerHelpersActive() ? "ON" : "OFF") + " [" + h + "]"
                + (layerHelpersActive() && !nativeOneDnn ? " (running libnd4j's generic ops: no oneDNN)" : "")
                + (layerHelpersActive() ? ", batch norm in training: " + (BatchNormHelpers.enabled()
                        ? "PlanarBatchNormHelper, native kernels " + NativeBatchNorm.status()
                        : "DL4J's (-D" + BatchNormHelpers.PROPERTY + "=dl4j)") : "")
                + ", OMP threads " + ompThreads;
    }
}
