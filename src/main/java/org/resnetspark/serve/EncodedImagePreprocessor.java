package org.resnetspark.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.resnetspark.data.cifar.Cifar10Preprocessing;
import org.resnetspark.data.image.ImageHeader;
import org.resnetspark.data.image.ImageHeaderReader;
import org.resnetspark.data.imagenet.CropWindow;
import org.resnetspark.data.imagenet.EncodedPreprocessing;
import org.resnetspark.data.imagenet.ImageNetPreprocessing;
import org.resnetspark.data.imagenet.PreprocessingOptions;
import org.resnetspark.data.imagenet.ResizeSemantics;
import org.resnetspark.data.imagenet.TensorLayout;
import org.resnetspark.model.DatasetFamily;
import org.resnetspark.model.ResNetSpec;
import org.resnetspark.model.ResNetVersion;

import java.util.SplittableRandom;

/**
 * The encoded-image input of a bundle: JPEG/PNG bytes to the float pixels the network was evaluated on, fully
 * described by its JSON (the {@code preprocessing} object of {@code metadata.json}), so a bundle reproduces it
 * without knowing how it was trained.
 *
 * <ul>
 *   <li>{@code imagenet_eval}: TF official ResNet's eval preprocessing ({@link ImageNetPreprocessing#eval}):
 *       aspect-preserving resize of the shorter side to {@code eval_resize_min}, central S x S crop, subtract the
 *       RGB channel means.</li>
 *   <li>{@code cifar_standardization}: decode, bilinear resize of the whole image to S x S (aspect not kept; a
 *       32x32 image is copied unchanged), then TF's {@code per_image_standardization}
 *       {@code (x - mean) / max(std, 1/sqrt(N))} over all N = 3 S S values (mean and population std), as the
 *       CIFAR-10 eval pipeline applies to its raw pixels.</li>
 * </ul>
 * Thread-safe (no mutable state).
 *
 * <p>As an {@link EncodedPreprocessing} it also trains (the Spark ML estimator): {@code imagenet_eval} bundles
 * train with TF's ImageNet train preprocessing ({@link ImageNetPreprocessing#train}: distorted bounding-box crop,
 * random flip, resize, mean subtraction); {@code cifar_standardization} ones with TF's CIFAR-10 train
 * preprocessing applied to the resized image: 4-pixel zero pad, random S x S crop, random horizontal flip, then
 * the same standardization.
 */
public final class EncodedImagePreprocessor implements EncodedPreprocessing {

    static final String IMAGENET_EVAL = "imagenet_eval";
    static final String CIFAR_STANDARDIZATION = "cifar_standardization";

    private final String kind;
    private final PreprocessingOptions options;
    private final ImageNetPreprocessing pipeline;

    private EncodedImagePreprocessor(String kind, PreprocessingOptions options) {
        this.kind = kind;
        this.options = options;
        this.pipeline = new ImageNetPreprocessing(options);
    }

    /** The eval preprocessing of the network's family, at its image size and data format. */
    public static EncodedImagePreprocessor forSpec(ResNetSpec spec) {
        TensorLayout layout = TensorLayout.of(spec.format());
        PreprocessingOptions o = PreprocessingOptions.forOutputSize(spec.imageSize()).withLayout(layout);
        if (spec.family() == DatasetFamily.IMAGENET) {
            return new EncodedImagePreprocessor(IMAGENET_EVAL, o);
        }
        // raw pixels, no DCT shortcuts: CIFAR-sized images are decoded at full scale anyway
        return new EncodedImagePreprocessor(CIFAR_STANDARDIZATION, o.withMeans(0, 0, 0).withReducedScaleDecoding(false));
    }

    /** A serializable recipe for {@link #forSpec}, to build the preprocessing inside Spark tasks. */
    public static EncodedPreprocessing.Factory factory(ResNetSpec spec) {
        DatasetFamily family = spec.family();
        int size = spec.size();
        String version = spec.version().flagValue();
        int classes = spec.numClasses();
        int imageSize = spec.imageSize();
        CNN2DFormat format = spec.format();
        return () -> forSpec(new ResNetSpec(family, size, ResNetVersion.parse(version), classes,
                imageSize, format, DataType.FLOAT));
    }

    /** Rebuilds the preprocessing a bundle's metadata describes. */
    public static EncodedImagePreprocessor fromJson(JsonNode p) {
        String kind = p.get("kind").asText();
        if (!kind.equals(IMAGENET_EVAL) && !kind.equals(CIFAR_STANDARDIZATION)) {
            throw new IllegalArgumentException("unknown preprocessing kind '" + kind + "'");
        }
        JsonNode m = p.get("means_rgb");
        PreprocessingOptions o = new PreprocessingOptions(p.get("output_size").asInt(),
                p.get("eval_resize_min").asInt(), (float) m.get(0).asDouble(), (float) m.get(1).asDouble(),
                (float) m.get(2).asDouble(), TensorLayout.valueOf(p.get("layout").asText()),
                ResizeSemantics.valueOf(p.get("resize").asText()), p.get("reduced_scale_decoding").asBoolean());
        return new EncodedImagePreprocessor(kind, o);
    }

    /** The JSON {@link #fromJson} reads back; floats written as the exact values used. */
    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode p = json.createObjectNode();
        p.put("kind", kind);
        p.put("output_size", options.outputSize());
        p.put("eval_resize_min", options.evalResizeMin());
        p.putArray("means_rgb").add(options.meanR()).add(options.meanG()).add(options.meanB());
        p.put("layout", options.layout().name());
        p.put("resize", options.resize().name());
        p.put("reduced_scale_decoding", options.reducedScaleDecoding());
        p.put("description", kind.equals(IMAGENET_EVAL)
                ? "decode; resize the shorter side to eval_resize_min (aspect kept); central output_size crop;"
                + " subtract means_rgb; RGB channels in layout order"
                : "decode; bilinear resize of the whole image to output_size x output_size; per-image"
                + " standardization (x - mean) / max(std, 1/sqrt(N)) over all 3*output_size^2 values");
        return p;
    }

    @Override
    public int valuesPerImage() {
        return options.valuesPerImage();
    }

    /**
     * Preprocesses one encoded image into {@code out[offset .. offset + valuesPerImage())}.
     *
     * @param source names the image in error messages
     * @throws org.resnetspark.data.image.CorruptImageException if the bytes are not a decodable JPEG/PNG
     */
    public void preprocess(byte[] encoded, String source, float[] out, int offset) {
        if (kind.equals(IMAGENET_EVAL)) {
            pipeline.eval(encoded, source, out, offset);
            return;
        }
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        pipeline.renderCrop(encoded, CropWindow.full(header.width(), header.height()), false, source, out, offset);
        standardize(out, offset, valuesPerImage());
    }

    @Override
    public void evalInto(byte[] encoded, String source, float[] out, int offset) {
        preprocess(encoded, source, out, offset);
    }

    @Override
    public void trainInto(byte[] encoded, float[][] boxes, SplittableRandom rng, String source, float[] into,
                          int offset) {
        if (kind.equals(IMAGENET_EVAL)) {
            pipeline.train(encoded, boxes, rng, source, into, offset);
            return;
        }
        float[] resized = new float[valuesPerImage()];
        ImageHeader header = ImageHeaderReader.read(encoded, source);
        pipeline.renderCrop(encoded, CropWindow.full(header.width(), header.height()), false, source, resized, 0);
        // TF's cifar10 train preprocessing on the resized image: zero-pad by PAD on every side, random S x S crop,
        // random horizontal flip, then per-image standardization; the random draws are those of
        // Cifar10Preprocessing.train, so a 32x32 image gets exactly the binary CIFAR-10 pipeline's augmentation
        int top = rng.nextInt(2 * Cifar10Preprocessing.PAD + 1);
        int left = rng.nextInt(2 * Cifar10Preprocessing.PAD + 1);
        boolean flip = rng.nextBoolean();
        float[] out = padCropFlip(resized, options.outputSize(), options.layout(), top, left, flip);
        standardize(out, 0, out.length);
        System.arraycopy(out, 0, into, offset, out.length);
    }

    /**
     * The S x S window at ({@code top}, {@code left}) of {@code image} zero-padded by {@value Cifar10Preprocessing#PAD}
     * on every side, mirrored left-right when {@code flip}; same layout in and out.
     */
    static float[] padCropFlip(float[] image, int size, TensorLayout layout, int top, int left, boolean flip) {
        int pad = Cifar10Preprocessing.PAD;
        float[] out = new float[image.length];
        for (int y = 0; y < size; y++) {
            int sy = y + top - pad;
            if (sy < 0 || sy >= size) {
                continue;
            }
            for (int x = 0; x < size; x++) {
                int sx = (flip ? size - 1 - x : x) + left - pad;
                if (sx < 0 || sx >= size) {
                    continue;
                }
                for (int c = 0; c < 3; c++) {
                    out[layout.index(size, size, y, x, c)] = image[layout.index(size, size, sy, sx, c)];
                }
            }
        }
        return out;
    }


    /** TF's per_image_standardization in place over {@code out[offset .. offset + n)}. */
    static void standardize(float[] out, int offset, int n) {
        double sum = 0;
        double sq = 0;
        for (int i = offset; i < offset + n; i++) {
            sum += out[i];
            sq += (double) out[i] * out[i];
        }
        double mean = sum / n;
        double std = Math.sqrt(Math.max(0, sq / n - mean * mean));
        double scale = 1 / Math.max(std, 1 / Math.sqrt(n));
        for (int i = offset; i < offset + n; i++) {
            out[i] = (float) ((out[i] - mean) * scale);
        }
    }
}
