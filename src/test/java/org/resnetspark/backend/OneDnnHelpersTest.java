package org.resnetspark.backend;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Fails when DL4J's oneDNN path silently switches off (a version bump, a lost shim, a dropped jar, a property):
 * on a CPU with AVX2, with no override asking for something else, every conv / batch norm / max pool layer of
 * a ResNet must run on its oneDNN helper, through a whole training step, without falling back.
 */
class OneDnnHelpersTest {

    @BeforeAll
    static void onlyWhereOneDnnIsExpected() {
        assumeTrue(CpuFeatures.detect().hasAvx2(), "CPU without AVX2: the plain build is expected");
        assumeTrue(System.getProperty(Backend.PLATFORM_EXTENSION, "").contains("onednn"),
                "the JVM was asked for a build without oneDNN: " + System.getProperty(Backend.PLATFORM_EXTENSION));
        assumeTrue(!Boolean.parseBoolean(System.getProperty(Backend.HELPERS_DISABLE, "false")),
                "helpers disabled by -D" + Backend.HELPERS_DISABLE);
    }

    @Test
    void backendReportsOneDnnBuildAndHelpers() {
        BackendStatus s = Backend.init();
        assertEquals("CPU", s.backend());
        assertNotNull(s.loadedBuild());
        assertTrue(s.loadedBuild().contains("-onednn"), "loaded " + s.loadedBuild());
        assertTrue(s.nativeOneDnn(), "libnd4j without oneDNN: " + s.describe());
        assertTrue(s.dl4jCheck(), "DL4J's BaseMKLDNNHelper.mklDnnEnabled() is false (shim org.nd4j.nativeblas.Nd4jCpu?)");
        assertTrue(s.oneDnnHelpersActive(), s.describe());
        assertTrue(s.ompThreads() >= 1);
    }

    @Test
    void everyResNetLayerRunsOnItsOneDnnHelperThroughATrainingStep() throws Exception {
        ResNetSpec spec = ResNetSpec.of(DatasetFamily.IMAGENET, 18, ResNetVersion.V1_5).withImageSize(32).withNumClasses(5);
        ComputationGraph net = ResNetBuilder.of(spec).seed(3).build();
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, 5);
        y.putScalar(0, 1, 1f);
        y.putScalar(1, 3, 1f);
        net.fit(new DataSet(x, y));
        net.outputSingle(false, x);

        int conv = 0;
        int bn = 0;
        int pool = 0;
        for (Layer layer : net.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            if (layer instanceof ConvolutionLayer) {
                assertInstanceOf(MKLDNNConvHelper.class, layer.getHelper(), name);
                assertEquals(0, failures(layer, ConvolutionLayer.class), name + " fell back to the built-in path");
                conv++;
            } else if (layer instanceof BatchNormalization) {
                assertInstanceOf(MKLDNNBatchNormHelper.class, layer.getHelper(), name);
                assertEquals(0, failures(layer, BatchNormalization.class), name + " fell back to the built-in path");
                bn++;
            } else if (layer instanceof SubsamplingLayer) {
                assertInstanceOf(MKLDNNSubsamplingHelper.class, layer.getHelper(), name);
                pool++;
            }
        }
        assertEquals(20, conv, "ResNet-18: 17 convs + 3 projections");
        assertTrue(bn >= 17, "batch norms: " + bn);
        assertEquals(1, pool, "stem max pool");
    }

    /** DL4J's protected {@code helperCountFail}: how often the helper threw and the layer fell back. */
    private static int failures(Layer layer, Class<?> declaring) throws ReflectiveOperationException {
        Field f = declaring.getDeclaredField("helperCountFail");
        f.setAccessible(true);
        return f.getInt(layer);
    }
}
