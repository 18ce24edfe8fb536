package org.resnetspark.data.imagenet;

import java.util.SplittableRandom;

/**
 * Samples a random crop window the way TensorFlow's {@code tf.image.sample_distorted_bounding_box} kernel
 * does ({@code core/kernels/image/sample_distorted_bounding_box_op.cc}), with
 * {@code use_image_if_no_bounding_boxes=True}.
 *
 * <p>Per attempt: draw an aspect ratio uniformly from the range; derive the smallest and largest integer
 * height whose {@code round(height * aspect)} x height crop has an area within the area range (clamped to the
 * image); draw the height uniformly between them, set {@code width = round(height * aspect)}, nudge by one
 * row if rounding left the area range; place the window uniformly (note: TF draws the offset from
 * {@code [0, H - h)}, so a window shorter than the image never touches the bottom/right edge — kept for
 * parity). Accept when the window covers at least {@code minObjectCovered} of the area of <em>any</em> box
 * (boxes of less than one pixel are skipped); after {@code maxAttempts} failures return the whole image.
 * The arithmetic is done in float with round-half-even, as in the C++ kernel; only the random generator
 * differs (Philox there, {@link SplittableRandom} here), so distributions match, sequences do not.
 *
 * <p>Immutable and thread-safe; all randomness comes from the caller's generator.
 */
public final class DistortedBoxSampler {
    private final float minObjectCovered;
    private final float minAspect;
    private final float maxAspect;
    private final float minArea;
    private final float maxArea;
    private final int maxAttempts;

    /** TF official ResNet's settings: 0.1 coverage, aspect [0.75, 1.33], area [0.05, 1.0], 100 attempts. */
    public static DistortedBoxSampler imageNetDefaults() {
        return new DistortedBoxSampler(0.1f, 0.75f, 1.33f, 0.05f, 1.0f, 100);
    }

    public DistortedBoxSampler(float minObjectCovered, float minAspect, float maxAspect, float minArea,
                               float maxArea, int maxAttempts) {
        if (!(minObjectCovered >= 0) || !(minAspect > 0) || !(maxAspect > 0) || !(minArea > 0) || !(maxArea > 0)
                || minArea > 1 || maxArea > 1 || maxAttempts <= 0) {
            throw new IllegalArgumentException("invalid sampler settings: covered " + minObjectCovered + ", aspect ["
                    + minAspect + ", " + maxAspect + "], area [" + minArea + ", " + maxArea + "], attempts "
                    + maxAttempts);
        }
        this.minObjectCovered = minObjectCovered;
        this.minAspect = minAspect;
        this.maxAspect = maxAspect;
        this.minArea = minArea;
        this.maxArea = maxArea;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Samples a crop of an image of {@code width x height} pixels.
     *
     * @param boxes normalized {@code {ymin, xmin, ymax, xmax}} per object, each coordinate in [0, 1]; empty or
     *              null means "the whole image is the object"
     * @return a window inside the image; the whole image if no attempt succeeded
     * @throws IllegalArgumentException if a box coordinate lies outside [0, 1] or has not 4 values (as TF)
     */
    public CropWindow sample(int width, int height, float[][] boxes, SplittableRandom rng) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        }
        int[][] rects = toPixelRects(width, height, boxes);
        for (int attempt = 0; attempt < maxAttempts; attempt++) {
            float aspect = rng.nextFloat() * (maxAspect - minAspect) + minAspect;
            CropWindow crop = randomCrop(width, height, aspect, rng);
            if (crop != null && coversAnObject(crop, rects)) {
                return crop;
            }
        }
        return CropWindow.full(width, height);
    }

    /** Boxes as integer pixel rectangles {xmin, ymin, xmax, ymax}, truncated like the kernel's int casts. */
    private static int[][] toPixelRects(int width, int height, float[][] boxes) {
        if (boxes == null || boxes.length == 0) {
            return new int[][] {{0, 0, width, height}};
        }
        int[][] rects = new int[boxes.length][];
        for (int b = 0; b < boxes.length; b++) {
            float[] box = boxes[b];
            if (box.length != 4) {
                throw new IllegalArgumentException("bounding box " + b + " has " + box.length + " values, not 4");
            }
            for (float v : box) {
                if (!(v >= 0f && v <= 1f)) {
                    throw new IllegalArgumentException("bounding box coordinates must be in [0, 1]: " + v);
                }
            }
            rects[b] = new int[] {(int) (box[1] * width), (int) (box[0] * height), (int) (box[3] * width),
                    (int) (box[2] * height)};
        }
        return rects;
    }

    /** GenerateRandomCrop: null when the constraints cannot be met for this aspect ratio. */
    private CropWindow randomCrop(int originalWidth, int originalHeight, float aspect, SplittableRandom rng) {
        float minAreaPx = minArea * originalWidth * originalHeight;
        float maxAreaPx = maxArea * originalWidth * originalHeight;
        int height = lrintf((float) Math.sqrt(minAreaPx / aspect));
        int maxHeight = lrintf((float) Math.sqrt(maxAreaPx / aspect));
        if (lrintf(maxHeight * aspect) > originalWidth) {
            // the largest max_height with round(max_height * aspect) <= width; double as in the C++ expression
            final float eps = 0.0000001f;
            maxHeight = (int) ((originalWidth + 0.5 - eps) / aspect);
            if (lrintf(maxHeight * aspect) > originalWidth) {
                maxHeight -= 1;
            }
        }
        maxHeight = Math.min(maxHeight, originalHeight);
        height = Math.min(height, maxHeight);
        if (height < maxHeight) {
            height += rng.nextInt(maxHeight - height + 1);
        }
        int width = lrintf(height * aspect);
        float area = (float) (width * height);
        if (area < minAreaPx) {
            height += 1;
            width = lrintf(height * aspect);
            area = width * height;
        }
        if (area > maxAreaPx) {
            height -= 1;
            width = lrintf(height * aspect);
            area = width * height;
        }
        if (area < minAreaPx || area > maxAreaPx || width > originalWidth || height > originalHeight
                || width <= 0 || height <= 0) {
            return null;
        }
        int y = height < originalHeight ? rng.nextInt(originalHeight - height) : 0;
        int x = width < originalWidth ? rng.nextInt(originalWidth - width) : 0;
        return new CropWindow(x, y, width, height);
    }

    /** SatisfiesOverlapConstraints: covers at least the minimum fraction of any box of one pixel or more. */
    private boolean coversAnObject(CropWindow crop, int[][] rects) {
        if ((float) crop.width() * crop.height() < 1f) {
            return false;
        }
        int cx0 = crop.x(), cy0 = crop.y(), cx1 = crop.x() + crop.width(), cy1 = crop.y() + crop.height();
        for (int[] r : rects) {
            float objectArea = (float) ((r[2] - r[0]) * (r[3] - r[1]));
            if (objectArea < 1f) {
                continue;
            }
            int ix0 = Math.max(cx0, r[0]), iy0 = Math.max(cy0, r[1]);
            int ix1 = Math.min(cx1, r[2]), iy1 = Math.min(cy1, r[3]);
            float intersection = (ix0 > ix1 || iy0 > iy1) ? 0f : (float) ((ix1 - ix0) * (iy1 - iy0));
            if (intersection / objectArea >= minObjectCovered) {
                return true;
            }
        }
        return false;
    }

    /** C's lrintf in the default rounding mode: round half to even. */
    private static int lrintf(float v) {
        return (int) Math.rint(v);
    }
}
