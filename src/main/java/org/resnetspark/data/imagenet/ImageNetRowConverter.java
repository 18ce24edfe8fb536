package org.resnetspark.data.imagenet;

import org.apache.spark.sql.Row;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.image.CorruptImageException;
import org.resnetspark.data.image.ImageHeaderReader;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Turns a row read with {@link ImageNetSchema#READ} into the compact {@link ImageNetRecord}, checking what can
 * be checked without decoding pixels, so that bad records are found once, when the data is cached, and not in
 * every epoch:
 * <ul>
 *   <li>the label must be in 1..numClasses (it becomes {@code label - 1});</li>
 *   <li>the image must be a structurally complete JPEG or PNG (header present, all segments/chunks present,
 *       end marker reached): a truncated file is caught here;</li>
 *   <li>the four box lists must have equal lengths. Coordinates are clipped to [0, 1], as
 *       {@code build_imagenet_data.py} does when it writes them; a box that is empty after clipping or holds a
 *       NaN is dropped (TF's sampler would reject the whole record).</li>
 * </ul>
 * A failed check throws {@link InvalidDataException} with one line naming the record.
 */
public final class ImageNetRowConverter implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final float[][] NO_BOXES = new float[0][];
    /** The box coordinate features, in the order {@link #boxes} reads them. */
    private static final String[] BOX_KEYS = {ImageNetSchema.YMIN, ImageNetSchema.XMIN, ImageNetSchema.YMAX,
            ImageNetSchema.XMAX};

    private final int numClasses;
    private final int encoded;
    private final int label;
    private final int filename;
    private final int[] box; // column indices of ymin, xmin, ymax, xmax

    public ImageNetRowConverter(int numClasses) {
        this.numClasses = numClasses;
        var s = ImageNetSchema.READ;
        this.encoded = s.fieldIndex(ImageNetSchema.ENCODED);
        this.label = s.fieldIndex(ImageNetSchema.LABEL);
        this.filename = s.fieldIndex(ImageNetSchema.FILENAME);
        this.box = new int[BOX_KEYS.length];
        for (int c = 0; c < BOX_KEYS.length; c++) {
            box[c] = s.fieldIndex(BOX_KEYS[c]);
        }
    }

    /**
     * @param row    a row of {@link ImageNetSchema#READ}
     * @param source {@code <shard>#<index>}; the record's {@code image/filename} is appended when present
     * @throws InvalidDataException naming the record and the problem
     */
    @SuppressWarnings("unchecked") // generic array of the four coordinate lists
    public ImageNetRecord convert(Row row, String source) {
        String id = row.isNullAt(filename) ? source : source + " (" + row.getString(filename) + ")";
        List<Float>[] boxLists = new List[4];
        for (int c = 0; c < 4; c++) {
            boxLists[c] = row.isNullAt(box[c]) ? List.of() : row.getList(box[c]);
        }
        return record(id, row.getLong(label), (byte[]) row.get(encoded), boxLists);
    }

    /**
     * The same conversion from a parsed {@code tf.train.Example} (for tools and benchmarks that read TFRecord
     * files without Spark).
     *
     * @throws InvalidDataException naming the record and the problem, also when the label or image is missing
     */
    @SuppressWarnings("unchecked") // generic array of the four coordinate lists
    public ImageNetRecord convert(Example example, String source) {
        Map<String, Feature> f = example.getFeatures().getFeatureMap();
        Feature name = f.get(ImageNetSchema.FILENAME);
        String id = name == null || name.getBytesList().getValueCount() == 0 ? source
                : source + " (" + name.getBytesList().getValue(0).toStringUtf8() + ")";
        Feature l = f.get(ImageNetSchema.LABEL);
        Feature image = f.get(ImageNetSchema.ENCODED);
        if (l == null || l.getInt64List().getValueCount() != 1 || image == null
                || image.getBytesList().getValueCount() != 1) {
            throw new InvalidDataException(id + ": expected one " + ImageNetSchema.LABEL + " (int64) and one "
                    + ImageNetSchema.ENCODED + " (bytes)");
        }
        List<Float>[] boxLists = new List[4];
        for (int c = 0; c < 4; c++) {
            Feature coords = f.get(BOX_KEYS[c]);
            boxLists[c] = coords == null ? List.of() : coords.getFloatList().getValueList();
        }
        return record(id, l.getInt64List().getValue(0), image.getBytesList().getValue(0).toByteArray(), boxLists);
    }

    private ImageNetRecord record(String id, long l, byte[] bytes, List<Float>[] boxLists) {
        if (l < 1 || l > numClasses) {
            throw new InvalidDataException(id + ": image/class/label " + l + ", expected 1.." + numClasses
                    + " (label - 1 is the class; 0 is TensorFlow's background class, not used)");
        }
        try {
            ImageHeaderReader.read(bytes, id);
            ImageHeaderReader.requireComplete(bytes, id);
        } catch (CorruptImageException e) {
            throw new InvalidDataException(e.getMessage(), e);
        }
        return new ImageNetRecord(id, bytes, (int) (l - 1), boxes(boxLists, id));
    }

    /** @param lists ymin, xmin, ymax, xmax */
    private static float[][] boxes(List<Float>[] lists, String id) {
        int n = -1;
        for (int c = 0; c < 4; c++) {
            if (n >= 0 && lists[c].size() != n) {
                throw new InvalidDataException(id + ": bounding box lists of different lengths (ymin, xmin, ymax,"
                        + " xmax: " + lists[0].size() + ", " + lists[1].size() + ", " + lists[2].size() + ", "
                        + lists[3].size() + "), expected equal");
            }
            n = lists[c].size();
        }
        if (n == 0) {
            return NO_BOXES;
        }
        float[][] out = new float[n][];
        int kept = 0;
        for (int b = 0; b < n; b++) {
            float[] v = new float[4];
            boolean ok = true;
            for (int c = 0; c < 4; c++) {
                float x = lists[c].get(b);
                ok &= !Float.isNaN(x);
                v[c] = Math.max(0f, Math.min(1f, x));
            }
            if (ok && v[0] < v[2] && v[1] < v[3]) {
                out[kept++] = v;
            }
        }
        return kept == n ? out : java.util.Arrays.copyOf(out, kept);
    }
}
