package org.resnetspark.serve;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.resnetspark.data.cifar.Cifar10Preprocessing;
import org.resnetspark.data.cifar.CifarTestData;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The Spark ML estimator trains CIFAR-family networks on encoded images with TF's CIFAR-10 train augmentation: a
 * real CIFAR-10 image, PNG-encoded, gets exactly what the binary CIFAR-10 pipeline gives its record (same pad,
 * crop and flip draws from the same random stream), in both layouts.
 */
class EncodedImagePreprocessorTest {

    @ParameterizedTest
    @EnumSource(value = CNN2DFormat.class)
    void encodedCifarImageTrainsExactlyAsTheBinaryPipeline(CNN2DFormat format, @TempDir Path tmp) throws Exception {
        byte[] batch = Files.readAllBytes(CifarTestData.subset(tmp, 20, 1).resolve("data_batch_1.bin"));
        EncodedImagePreprocessor encoded = EncodedImagePreprocessor.forSpec(
                ResNetSpec.of(DatasetFamily.CIFAR10, 8, ResNetVersion.V1_5).withFormat(format));
        for (int r = 0; r < 20; r++) {
            byte[] record = Arrays.copyOfRange(batch, r * 3073, (r + 1) * 3073);
            float[] want = Cifar10Preprocessing.train(record, new SplittableRandom(r), format);
            float[] got = encoded.train(png(record), new float[0][], new SplittableRandom(r), "record " + r);
            assertArrayEquals(want, got, 1e-5f, "record " + r);
        }
    }

    /** The record's 32x32 RGB pixels as a lossless PNG. */
    private static byte[] png(byte[] record) throws Exception {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int i = y * 32 + x;
                int rgb = (record[1 + i] & 0xff) << 16 | (record[1 + 1024 + i] & 0xff) << 8
                        | (record[1 + 2048 + i] & 0xff);
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}
