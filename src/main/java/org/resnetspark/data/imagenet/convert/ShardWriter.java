package org.resnetspark.data.imagenet.convert;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;
import org.resnetspark.data.InvalidDataException;
import org.resnetspark.data.image.CorruptImageException;
import org.tensorflow.hadoop.util.TFRecordWriter;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Iterator;

/**
 * Writes one shard: each raw image read, made an {@link RgbJpeg}, wrapped in its {@link ImageNetExample} and
 * framed as a TFRecord (TensorFlow's masked-CRC32C framing, via tensorflow-hadoop). An empty shard is an empty
 * file, so the {@code -of-NNNNN} set is always complete.
 */
final class ShardWriter {

    /** What one shard task wrote. A plain class: task results go through Kryo, which cannot handle records. */
    static final class Written implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final long records;
        final long reencoded;

        Written(String name, long records, long reencoded) {
            this.name = name;
            this.records = records;
            this.reencoded = reencoded;
        }
    }

    private ShardWriter() {
    }

    /**
     * @param file where to write (a temporary name; the caller renames it)
     * @throws InvalidDataException naming the input file when an image is truncated or cannot be decoded
     */
    static Written write(Iterator<SourceImage> images, Path file, String name, Configuration conf)
            throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        long records = 0;
        long reencoded = 0;
        try (FSDataOutputStream raw = fs.create(file, true);
             DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw, 1 << 20))) {
            TFRecordWriter writer = new TFRecordWriter(out);
            while (images.hasNext()) {
                SourceImage image = images.next();
                RgbJpeg jpeg;
                try {
                    jpeg = RgbJpeg.of(read(image.path(), conf), image.path());
                } catch (CorruptImageException e) {
                    throw new InvalidDataException(e.getMessage() + " (convert stops at a corrupt input image;"
                            + " remove or replace it)", e);
                }
                writer.write(ImageNetExample.of(image, jpeg).toByteArray());
                records++;
                reencoded += jpeg.reencoded() ? 1 : 0;
            }
        }
        return new Written(name, records, reencoded);
    }

    private static byte[] read(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        long length = fs.getFileStatus(p).getLen();
        byte[] bytes = new byte[Math.toIntExact(length)];
        try (InputStream in = fs.open(p)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        return bytes;
    }
}
