package org.resnetspark.serve;

import com.google.protobuf.ByteString;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.hadoop.util.TFRecordReader;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The images named on the {@code predict} command line: image files (JPEG/PNG, told apart from TFRecord files
 * by their first bytes) and TFRecord files (optionally GZIP-compressed), whose records' {@code image/encoded}
 * bytes are the images ({@code file#N}, N counting records from 0).
 *
 * <p>Guarantee: a path or record that cannot be read becomes an {@link Item} with an error, never an
 * exception, so one bad input does not stop the others.
 */
final class PredictionInputs {

    static final String ENCODED_KEY = "image/encoded";

    /** An image to predict, or the reason it cannot be. */
    record Item(String source, byte[] encoded, String error) {
        static Item failed(String source, String error) {
            return new Item(source, null, error);
        }
    }

    private final Configuration hadoopConf;

    PredictionInputs(Configuration hadoopConf) {
        this.hadoopConf = hadoopConf;
    }

    /** The images of one command-line path, in file / record order. */
    List<Item> read(String path) {
        byte[] bytes;
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(hadoopConf);
            if (!fs.exists(p)) {
                return List.of(Item.failed(path, "no such file"));
            }
            if (fs.getFileStatus(p).isDirectory()) {
                return List.of(Item.failed(path, "is a directory (name image or TFRecord files)"));
            }
            try (InputStream in = fs.open(p)) {
                bytes = in.readAllBytes();
            }
        } catch (IOException | RuntimeException e) {
            return List.of(Item.failed(path, "cannot be read: " + e.getMessage()));
        }
        if (isImage(bytes)) {
            return List.of(new Item(path, bytes, null));
        }
        return records(path, bytes);
    }

    /** JPEG (FF D8) or PNG (89 'P' 'N' 'G') magic; anything else is taken for a TFRecord file. */
    static boolean isImage(byte[] b) {
        return (b.length >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8)
                || (b.length >= 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G');
    }

    private static List<Item> records(String path, byte[] bytes) {
        List<Item> items = new ArrayList<>();
        boolean gzip = bytes.length >= 2 && (bytes[0] & 0xff) == 0x1F && (bytes[1] & 0xff) == 0x8B;
        int index = 0;
        try (InputStream raw = new ByteArrayInputStream(bytes);
             InputStream in = new BufferedInputStream(gzip ? new GZIPInputStream(raw) : raw)) {
            TFRecordReader reader = new TFRecordReader(in, true);
            for (byte[] record = reader.read(); record != null; record = reader.read(), index++) {
                items.add(item(path + "#" + index, record));
            }
        } catch (IOException | RuntimeException e) {
            String what = index == 0 ? "is neither a JPEG/PNG image nor a TFRecord file"
                    : "TFRecord is corrupt after " + index + " records";
            items.add(Item.failed(index == 0 ? path : path + "#" + index, what + " (" + e.getMessage() + ")"));
        }
        if (items.isEmpty()) {
            items.add(Item.failed(path, "is empty"));
        }
        return items;
    }

    private static Item item(String source, byte[] record) {
        try {
            Feature f = Example.parseFrom(record).getFeatures().getFeatureMap().get(ENCODED_KEY);
            if (f == null || f.getBytesList().getValueCount() == 0) {
                return Item.failed(source, "record has no " + ENCODED_KEY + " bytes");
            }
            ByteString b = f.getBytesList().getValue(0);
            return new Item(source, b.toByteArray(), null);
        } catch (IOException e) {
            return Item.failed(source, "record is not a tf.train.Example: " + e.getMessage());
        }
    }
}
