package org.resnetspark.backend;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which libnd4j build a request gets on a CPU (no ND4J needed). */
class BackendSelectionTest {

    static final CpuFeatures AVX512 = CpuFeatures.parse(
            "processor: 0\nflags\t\t: fpu sse avx avx2 fma avx512f avx512cd avx512bw avx512dq avx512vl\n");
    static final CpuFeatures AVX2 = CpuFeatures.parse("processor: 0\nflags\t\t: fpu sse avx avx2 fma\n");
    static final CpuFeatures OLD = CpuFeatures.parse("processor: 0\nflags\t\t: fpu sse sse4_2 avx\n");
    static final ClassLoader ALL_JARS = new ClassLoader(null) {
        @Override
        public java.net.URL getResource(String name) {
            try {
                return new java.net.URL("file:/" + name);
            } catch (java.net.MalformedURLException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    static final ClassLoader NO_JARS = new ClassLoader(null) {
        @Override
        public java.net.URL getResource(String name) {
            return null;
        }
    };

    static Backend.Build pick(String request, CpuFeatures cpu, ClassLoader cl) {
        return Backend.select(request, cpu, "linux-x86_64", cl).build();
    }

    @Test
    void autoPrefersAvx512ThenAvx2ThenPlain() {
        assertEquals(Backend.Build.ONEDNN_AVX512, pick("auto", AVX512, ALL_JARS));
        assertEquals(Backend.Build.ONEDNN_AVX2, pick("auto", AVX2, ALL_JARS));
        assertEquals(Backend.Build.PLAIN, pick("auto", OLD, ALL_JARS));
        assertEquals(Backend.Build.PLAIN, pick("auto", AVX512, NO_JARS));
    }

    @Test
    void explicitRequestsAreHonouredOnlyWhenTheCpuCanRunThem() {
        assertEquals(Backend.Build.PLAIN, pick("plain", AVX512, ALL_JARS));
        assertEquals(Backend.Build.ONEDNN_AVX2, pick("avx2", AVX512, ALL_JARS));
        assertEquals(Backend.Build.ONEDNN_AVX512, pick("avx512", AVX512, ALL_JARS));
        // avx512 on an AVX2-only CPU would die with SIGILL: falls back
        Backend.Selection s = Backend.select("avx512", AVX2, "linux-x86_64", ALL_JARS);
        assertEquals(Backend.Build.ONEDNN_AVX2, s.build());
        assertTrue(s.reason().contains("CPU lacks it"), s.reason());
        assertEquals(Backend.Build.PLAIN, pick("avx2", OLD, ALL_JARS));
        assertEquals(Backend.Build.ONEDNN_AVX2, pick("bogus", AVX2, ALL_JARS));
    }

    @Test
    void cpuFlagsParse() {
        assertTrue(AVX512.hasAvx512());
        assertTrue(AVX2.hasAvx2());
        assertFalse(AVX2.hasAvx512());
        assertFalse(OLD.hasAvx2());
        assertEquals(Set.of(), CpuFeatures.parse("no flags here").flags());
        assertEquals("linux-x86_64-onednn-avx2", Backend.Build.ONEDNN_AVX2.classifier("linux-x86_64"));
        assertEquals("linux-x86_64", Backend.Build.PLAIN.classifier("linux-x86_64"));
    }
}
