package org.resnetspark.data.imagenet.convert;

import com.google.protobuf.ByteString;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;

import java.nio.charset.StandardCharsets;

import static org.resnetspark.data.imagenet.ImageNetSchema.BBOX_LABEL;
import static org.resnetspark.data.imagenet.ImageNetSchema.CHANNELS;
import static org.resnetspark.data.imagenet.ImageNetSchema.COLORSPACE;
import static org.resnetspark.data.imagenet.ImageNetSchema.ENCODED;
import static org.resnetspark.data.imagenet.ImageNetSchema.FILENAME;
import static org.resnetspark.data.imagenet.ImageNetSchema.FORMAT;
import static org.resnetspark.data.imagenet.ImageNetSchema.HEIGHT;
import static org.resnetspark.data.imagenet.ImageNetSchema.LABEL;
import static org.resnetspark.data.imagenet.ImageNetSchema.SYNSET;
import static org.resnetspark.data.imagenet.ImageNetSchema.TEXT;
import static org.resnetspark.data.imagenet.ImageNetSchema.WIDTH;
import static org.resnetspark.data.imagenet.ImageNetSchema.XMAX;
import static org.resnetspark.data.imagenet.ImageNetSchema.XMIN;
import static org.resnetspark.data.imagenet.ImageNetSchema.YMAX;
import static org.resnetspark.data.imagenet.ImageNetSchema.YMIN;

/**
 * The {@code tf.train.Example} of {@code build_imagenet_data.py}'s {@code _convert_to_example}: the same keys and
 * types (int64 label, height, width, channels = 3, bbox/label = label per box; float bbox lists, possibly empty;
 * bytes colorspace "RGB", format "JPEG", synset, text, file name, encoded).
 */
public final class ImageNetExample {

    private ImageNetExample() {
    }

    public static Example of(SourceImage image, RgbJpeg jpeg) {
        float[][] boxes = image.boxes();
        FloatList.Builder xmin = FloatList.newBuilder();
        FloatList.Builder ymin = FloatList.newBuilder();
        FloatList.Builder xmax = FloatList.newBuilder();
        FloatList.Builder ymax = FloatList.newBuilder();
        Int64List.Builder boxLabels = Int64List.newBuilder();
        for (float[] b : boxes) { // {xmin, ymin, xmax, ymax}
            xmin.addValue(b[0]);
            ymin.addValue(b[1]);
            xmax.addValue(b[2]);
            ymax.addValue(b[3]);
            boxLabels.addValue(image.label());
        }
        Features.Builder f = Features.newBuilder()
                .putFeature(HEIGHT, int64(jpeg.height()))
                .putFeature(WIDTH, int64(jpeg.width()))
                .putFeature(COLORSPACE, bytes("RGB"))
                .putFeature(CHANNELS, int64(3))
                .putFeature(LABEL, int64(image.label()))
                .putFeature(SYNSET, bytes(image.synset()))
                .putFeature(TEXT, bytes(image.text()))
                .putFeature(XMIN, Feature.newBuilder().setFloatList(xmin).build())
                .putFeature(XMAX, Feature.newBuilder().setFloatList(xmax).build())
                .putFeature(YMIN, Feature.newBuilder().setFloatList(ymin).build())
                .putFeature(YMAX, Feature.newBuilder().setFloatList(ymax).build())
                .putFeature(BBOX_LABEL, Feature.newBuilder().setInt64List(boxLabels).build())
                .putFeature(FORMAT, bytes("JPEG"))
                .putFeature(FILENAME, bytes(image.fileName()))
                .putFeature(ENCODED, Feature.newBuilder().setBytesList(BytesList.newBuilder()
                        .addValue(ByteString.copyFrom(jpeg.jpeg()))).build());
        return Example.newBuilder().setFeatures(f).build();
    }

    private static Feature int64(long v) {
        return Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(v)).build();
    }

    private static Feature bytes(String s) {
        return Feature.newBuilder().setBytesList(BytesList.newBuilder()
                .addValue(ByteString.copyFrom(s, StandardCharsets.UTF_8))).build();
    }
}
