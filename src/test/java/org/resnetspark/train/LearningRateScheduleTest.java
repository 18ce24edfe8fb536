package org.resnetspark.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TF-official schedules, the momentum update, and their survival through DL4J's JSON configuration. */
class LearningRateScheduleTest {

    @Test
    void cifarPiecewiseValues() {
        // batch 128 over 50,000 images: 390.625 steps per epoch
        LearningRateSchedule s = LearningRateSchedule.cifar10(128, 50_000);
        assertEquals(0.1, s.rate(0), 1e-12);
        assertEquals(0.1, s.rateAtEpoch(90), 1e-12);
        assertEquals(0.1, s.rate(35_546), 1e-12, "boundary step itself keeps the old value (TF <=)");
        assertEquals(0.01, s.rate(35_547), 1e-12);
        assertEquals(0.01, s.rateAtEpoch(100), 1e-12);
        assertEquals(0.001, s.rateAtEpoch(137), 1e-12);
        assertEquals(0.0001, s.rateAtEpoch(190), 1e-12);
        assertEquals(0.2, LearningRateSchedule.cifar10(256, 50_000).rate(0), 1e-12, "linear scaling with batch");
    }

    @Test
    void baseRateAndWarmUpCanBeChosen() {
        LearningRateSchedule s = LearningRateSchedule.cifar10(256, 50_000, 0.4).withWarmup(2);
        assertEquals(0.8, s.initialRate(), 1e-12, "0.4 per 128, scaled to a batch of 256");
        assertEquals(0.0, s.rate(0), 1e-12);
        assertEquals(0.4, s.rateAtEpoch(1), 0.005, "half-way through the 2-epoch warm-up (epochs start at whole steps)");
        assertEquals(0.8, s.rateAtEpoch(2), 1e-12);
        assertEquals(0.08, s.rateAtEpoch(100), 1e-12, "the piecewise decays stay");
        LearningRateSchedule linear = LearningRateSchedule.cifar10(128, 50_000).linearOver(30).withWarmup(9);
        assertEquals(linear, LearningRateSchedule.linear(0.1, 50_000 / 128.0, 9, 30));
        assertEquals(0.05, linear.rate((long) (19.5 * 50_000 / 128.0)), 1e-3, "half-way down the decay");
        assertEquals(0.128 * 2 * 0.5, LearningRateSchedule.imagenet(512, 1_281_167, false, 0.128).rate(
                (long) (2.5 * 1_281_167 / 512)), 1e-4, "ImageNet's 5-epoch warm-up half done");
        assertThrows(IllegalArgumentException.class, () -> linear.withWarmup(30));
        assertThrows(IllegalArgumentException.class, () -> linear.withWarmup(-1));
    }

    @Test
    void imagenetWarmupAndDecay() {
        // batch 256 over 1,281,167 images: 5004.56 steps per epoch, warm-up 25,022 steps
        LearningRateSchedule s = LearningRateSchedule.imagenet(256, 1_281_167, false);
        assertEquals(0.0, s.rate(0), 1e-12);
        assertEquals(0.128 * 1000 / 25_022, s.rate(1000), 1e-12);
        assertEquals(0.128, s.rate(25_022), 1e-12);
        assertEquals(0.128, s.rateAtEpoch(29), 1e-12);
        assertEquals(0.0128, s.rateAtEpoch(31), 1e-12);
        assertEquals(0.00128, s.rateAtEpoch(61), 1e-12);
        assertEquals(0.000128, s.rateAtEpoch(81), 1e-12);
        assertEquals(0.0000128, s.rateAtEpoch(91), 1e-12);
        LearningRateSchedule ft = LearningRateSchedule.imagenet(512, 1_281_167, true);
        assertEquals(0.2, ft.rate(0), 1e-12, "fine-tuning: 0.1 x batch/256, no warm-up");
    }

    @Test
    void linearWarmupThenDecayToZero() {
        // 100 steps per epoch, warm-up 2 epochs, decay to 0 at epoch 20
        LearningRateSchedule s = LearningRateSchedule.linear(0.1, 100, 2, 20);
        assertEquals(0.0, s.rate(0), 1e-12);
        assertEquals(0.05, s.rate(100), 1e-12);
        assertEquals(0.1, s.rate(200), 1e-12, "peak at the end of the warm-up");
        assertEquals(0.05, s.rate(1100), 1e-12, "half-way through the decay");
        assertEquals(0.1 * 100 / 1800, s.rate(1900), 1e-12);
        assertEquals(0.0, s.rate(2000), 1e-12);
        assertEquals(0.0, s.rate(2500), 1e-12, "never negative after the end");
        assertEquals(s, s.clone());
        assertEquals(false, s.equals(LearningRateSchedule.linear(0.1, 100, 2, 21)));
    }

    @Test
    void rateAfterResumeEqualsUninterruptedRun() {
        LearningRateSchedule uninterrupted = LearningRateSchedule.imagenet(1024, 100_000, false);
        for (int epoch = 0; epoch < 95; epoch++) {
            // a resumed run rebuilds the schedule from the same flags and restarts at the epoch's first step
            LearningRateSchedule resumed = LearningRateSchedule.imagenet(1024, 100_000, false);
            long step = uninterrupted.firstStepOfEpoch(epoch);
            assertEquals(uninterrupted.rate(step), resumed.rate(resumed.firstStepOfEpoch(epoch)), 0.0);
            assertEquals(uninterrupted.rate(step + 7), resumed.valueAt((int) step + 7, 0), 0.0);
        }
    }

    @Test
    void forRunCombinesFamilyBaseRateLinearDecayAndWarmUp() {
        double nan = Double.NaN;
        assertEquals(LearningRateSchedule.cifar10(128, 50_000),
                LearningRateSchedule.forRun(DatasetFamily.CIFAR10, 128, 50_000, false, nan, false, 182, nan));
        assertEquals(LearningRateSchedule.imagenet(256, 1_281_167, true),
                LearningRateSchedule.forRun(DatasetFamily.IMAGENET, 256, 1_281_167, true, nan, false, 90, nan));
        assertEquals(LearningRateSchedule.linear(0.4 * 64 / 128, 50_000 / 64.0, 3, 30),
                LearningRateSchedule.forRun(DatasetFamily.CIFAR10, 64, 50_000, false, 0.4, true, 30, 3));
        assertEquals(LearningRateSchedule.imagenet(512, 1_000, false, 0.2).withWarmup(0),
                LearningRateSchedule.forRun(DatasetFamily.IMAGENET, 512, 1_000, false, 0.2, false, 90, 0));
        assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.forRun(DatasetFamily.CIFAR10, 128, 50_000, false, nan, true, 10, 10));
    }

    /** The steps {@code config} makes from gradients [1, -2] then [1, 0], from a zero velocity. */
    private static float[][] twoSteps(Momentum config) {
        GradientUpdater<?> u = config.instantiate(Nd4j.zeros(DataType.FLOAT, 1, 2), true);
        INDArray g1 = Nd4j.createFromArray(new float[][] {{1f, -2f}});
        u.applyUpdater(g1, 0, 0);
        INDArray g2 = Nd4j.createFromArray(new float[][] {{1f, 0f}});
        u.applyUpdater(g2, 1, 0);
        return new float[][] {g1.toFloatVector(), g2.toFloatVector()};
    }

    @Test
    void momentumUpdateIsTensorflowHeavyBall() {
        float[][] steps = twoSteps(new Momentum(0.5, 0.9));
        // accum = [1, -2]; step = 0.5 * accum
        assertArrayEquals(new float[] {0.5f, -1f}, steps[0], 1e-6f);
        // accum = 0.9 * [1, -2] + [1, 0] = [1.9, -1.8]; step = 0.5 * accum
        assertArrayEquals(new float[] {0.95f, -0.9f}, steps[1], 1e-6f);
    }

    @Test
    void nesterovStepAddsTheMomentumOfTheNewVelocityToTheGradient() {
        float[][] steps = twoSteps(new Momentum(new FixedSchedule(0.5), 0.9, true));
        // accum = [1, -2]; step = 0.5 * (grad + 0.9 * accum)
        assertArrayEquals(new float[] {0.95f, -1.9f}, steps[0], 1e-6f);
        // accum = 0.9 * [1, -2] + [1, 0] = [1.9, -1.8]; step = 0.5 * ([1, 0] + 0.9 * accum)
        assertArrayEquals(new float[] {1.355f, -0.81f}, steps[1], 1e-6f);
    }

    @Test
    void nesterovStepOnViewsOfLargerArraysAsDl4jPassesThem() {
        Nd4j.getRandom().setSeed(3);
        INDArray stateBlock = Nd4j.zeros(DataType.FLOAT, 1, 5000);
        INDArray gradientBlock = Nd4j.rand(DataType.FLOAT, 1, 5000).subi(0.5);
        INDArray state = stateBlock.get(NDArrayIndex.point(0), NDArrayIndex.interval(1000, 4000)).reshape(1, 3000);
        INDArray g = gradientBlock.get(NDArrayIndex.point(0), NDArrayIndex.interval(1000, 4000)).reshape(1, 3000);
        GradientUpdater<?> u = new Momentum(new FixedSchedule(0.1), 0.9, true).instantiate(state, true);
        float[] accum = new float[3000];
        for (int step = 0; step < 3; step++) {
            float[] grad = g.toFloatVector();
            u.applyUpdater(g, step, 0);
            float[] applied = g.toFloatVector();
            for (int i = 0; i < grad.length; i++) {
                accum[i] = 0.9f * accum[i] + grad[i];
                assertEquals(0.1f * (grad[i] + 0.9f * accum[i]), applied[i], 1e-6f, "step " + step + " element " + i);
            }
            assertArrayEquals(accum, state.toFloatVector(), 1e-6f);
            g.assign(Nd4j.rand(DataType.FLOAT, 1, 3000).subi(0.5));
        }
    }

    @Test
    void scheduleAndMomentumSurviveConfigurationJson() {
        LearningRateSchedule s = LearningRateSchedule.cifar10(128, 50_000);
        ComputationGraphConfiguration conf = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_5)).updater(new Momentum(s, 0.9)).weightDecay(2e-4).configuration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        ComputationGraphConfiguration linear = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_5)).updater(new Momentum(LearningRateSchedule.linear(0.1, 390.625, 1.5, 15), 0.9))
                .weightDecay(2e-4).configuration();
        assertEquals(linear, ComputationGraphConfiguration.fromJson(linear.toJson()));
        ComputationGraphConfiguration nesterov = ResNetBuilder.of(ResNetSpec.of(DatasetFamily.CIFAR10, 8,
                ResNetVersion.V1_5)).updater(new Momentum(s, 0.9, true)).configuration();
        ComputationGraphConfiguration nesterovBack = ComputationGraphConfiguration.fromJson(nesterov.toJson());
        assertEquals(nesterov, nesterovBack);
        BaseLayer dense = (BaseLayer) ((LayerVertex) nesterovBack.getVertices().get(ResNetBuilder.FINAL_DENSE))
                .getLayerConf().getLayer();
        assertTrue(((Momentum) dense.getIUpdater()).nesterov());
    }
}
