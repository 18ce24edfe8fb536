package org.resnetspark.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** The x86 instruction-set flags of this machine, from {@code /proc/cpuinfo} (Linux). */
public record CpuFeatures(Set<String> flags) {

    /** What libnd4j's {@code -avx512} builds are compiled for (Skylake-SP: F, CD, BW, DQ, VL). */
    static final Set<String> AVX512 = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    static final Set<String> AVX2 = Set.of("avx2", "fma");

    public CpuFeatures {
        flags = Collections.unmodifiableSet(new HashSet<>(flags));
    }

    /** This machine's flags; empty when {@code /proc/cpuinfo} cannot be read (non-Linux). */
    public static CpuFeatures detect() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return new CpuFeatures(Set.of());
        }
    }

    /** The flags of the first processor listed in a {@code /proc/cpuinfo} text. */
    public static CpuFeatures parse(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                return new CpuFeatures(new HashSet<>(Arrays.asList(line.substring(colon + 1).trim().split("\\s+"))));
            }
        }
        return new CpuFeatures(Set.of());
    }

    public boolean hasAvx512() {
        return flags.containsAll(AVX512) && hasAvx2();
    }

    public boolean hasAvx2() {
        return flags.containsAll(AVX2);
    }

    /** E.g. "avx512 avx2 fma" or "avx2 fma" or "no avx2". */
    public String describe() {
        if (flags.isEmpty()) {
            return "unknown CPU flags";
        }
        return hasAvx512() ? "avx512 avx2 fma" : hasAvx2() ? "avx2 fma, no avx512" : "no avx2";
    }
}
