package org.resnetspark.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Initializes ND4J on the CPU backend and finds out what is really active. The nd4j-native specifics (libnd4j's
 * {@code Environment}, the loaded library) are reached by reflection so that the CUDA build compiles.
 */
final class NativeCpuProbe {

    private static final String CPU_ENVIRONMENT = "org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment";

    private NativeCpuProbe() {
    }

    static BackendStatus probe(String platform, String choice, boolean helpersWanted) {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend");
        int threads = Nd4j.getEnvironment().maxThreads();
        boolean nativeOneDnn = nativeOneDnn();
        boolean dl4jCheck = BaseMKLDNNHelper.mklDnnEnabled();
        Map<String, String> helpers = helpersWanted ? probeHelpers() : Map.of();
        return new BackendStatus(backend, loadedBuild(platform), choice, nativeOneDnn, dl4jCheck, helpers, threads);
    }

    /**
     * libnd4j was built with oneDNN ({@code HAVE_ONEDNN} in its build info) and uses it ({@code isUseONEDNN()};
     * note that flag alone is true even in the plain build).
     */
    static boolean nativeOneDnn() {
        try {
            String info = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
            if (info == null || !info.contains("HAVE_ONEDNN")) {
                return false;
            }
            Class<?> c = Class.forName(CPU_ENVIRONMENT);
            Object env = c.getMethod("getInstance").invoke(null);
            return (boolean) c.getMethod("isUseONEDNN").invoke(env);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /** The classifier directory of the loaded libjnind4jcpu, e.g. "linux-x86_64-onednn-avx2". */
    static String loadedBuild(String platform) {
        for (Map.Entry<String, String> e : org.bytedeco.javacpp.Loader.getLoadedLibraries().entrySet()) {
            String path = e.getValue();
            if (path != null && path.contains("nd4jcpu")) {
                int i = path.lastIndexOf(platform);
                if (i >= 0) {
                    int end = path.indexOf('/', i);
                    return end > 0 ? path.substring(i, end) : path.substring(i);
                }
            }
        }
        return null;
    }

    /**
     * The helper DL4J creates for a convolution, a batch norm and a max pool layer of a tiny network after a
     * forward pass (the truth, whatever the flags say): its simple class name, or "none".
     */
    static Map<String, String> probeHelpers() {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .dataType(DataType.FLOAT).seed(1)
                    .list()
                    .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).hasBias(false).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX, new int[] {2, 2}, new int[] {2, 2}).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(8, 8, 2))
                    .build();
            MultiLayerNetwork net = new MultiLayerNetwork(conf);
            net.init();
            net.output(Nd4j.rand(DataType.FLOAT, 2, 2, 8, 8));
            String[] names = {"convolution", "batchnorm", "pooling"};
            for (int i = 0; i < names.length; i++) {
                Layer layer = net.getLayer(i);
                out.put(names[i], layer.getHelper() == null ? "none" : layer.getHelper().getClass().getSimpleName());
            }
        } catch (RuntimeException | LinkageError e) {
            out.put("probe", "failed: " + e);
        }
        return out;
    }

}
