package org.nd4j.nativeblas;

import java.lang.reflect.Method;

/**
 * Compatibility shim (not ND4J code): DL4J 1.0.0-M2.1's oneDNN check
 * ({@code org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled()}) looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()} by reflection, but ND4J M2.1 moved
 * that class to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the method
 * {@code isUseONEDNN()}. Without this class the check always fails and no oneDNN layer helper is ever used.
 *
 * <p>Delegates by reflection, so it compiles and is harmless in the CUDA build (there the check reports false).
 * See {@code org.resnetspark.backend.Backend}.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** The old nested class DL4J looks for. */
    public static final class Environment {

        private static final String TARGET = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";
        private static final Environment INSTANCE = new Environment();
        private static volatile Method isUseOneDnn;
        private static volatile Object target;

        private Environment() {
        }

        /** Called reflectively by DL4J. */
        public static Environment getInstance() {
            return INSTANCE;
        }

        /** Called reflectively by DL4J: whether libnd4j was built with oneDNN and uses it. */
        public boolean isUseMKLDNN() {
            try {
                if (isUseOneDnn == null) {
                    Class<?> c = Class.forName(TARGET, true, Nd4jCpu.class.getClassLoader());
                    target = c.getMethod("getInstance").invoke(null);
                    isUseOneDnn = c.getMethod("isUseONEDNN");
                }
                return (boolean) isUseOneDnn.invoke(target);
            } catch (ReflectiveOperationException | LinkageError e) {
                return false;
            }
        }

        /** The same as {@link #isUseMKLDNN()}, under the new name. */
        public boolean isUseONEDNN() {
            return isUseMKLDNN();
        }
    }
}
