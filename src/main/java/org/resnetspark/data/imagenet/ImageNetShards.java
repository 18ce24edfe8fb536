package org.resnetspark.data.imagenet;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The TFRecord shards of an ImageNet directory in TensorFlow's naming: {@code train-*} (e.g.
 * {@code train-00000-of-01024}) and {@code validation-*}, directly under the directory, on any Hadoop
 * filesystem. Paths are fully qualified and sorted by name, the order in which the {@code tfrecord} data source
 * makes one partition per file.
 *
 * @param dir        the qualified directory
 * @param train      training shards, sorted
 * @param validation validation shards, sorted
 */
public record ImageNetShards(Path dir, List<Path> train, List<Path> validation) {

    public static final String TRAIN_PREFIX = "train-";
    public static final String VALIDATION_PREFIX = "validation-";

    /** Lists the shards; either list may be empty. Hidden files ({@code _*}, {@code .*}) are ignored. */
    public static ImageNetShards list(String dataDir, Configuration conf) throws IOException {
        Path dir = new Path(dataDir);
        FileSystem fs = dir.getFileSystem(conf);
        dir = fs.makeQualified(dir);
        List<Path> train = new ArrayList<>();
        List<Path> validation = new ArrayList<>();
        FileStatus[] children;
        try {
            children = fs.listStatus(dir);
        } catch (FileNotFoundException e) {
            return new ImageNetShards(dir, List.of(), List.of());
        }
        for (FileStatus f : children) {
            String name = f.getPath().getName();
            if (!f.isFile()) {
                continue;
            }
            if (name.startsWith(TRAIN_PREFIX)) {
                train.add(f.getPath());
            } else if (name.startsWith(VALIDATION_PREFIX)) {
                validation.add(f.getPath());
            }
        }
        train.sort(null);
        validation.sort(null);
        return new ImageNetShards(dir, List.copyOf(train), List.copyOf(validation));
    }

    /** Whether {@code dataDir} holds at least one {@code train-*} or {@code validation-*} file; false on errors. */
    public static boolean looksLikeImageNet(String dataDir, Configuration conf) {
        try {
            ImageNetShards s = list(dataDir, conf);
            return !s.train.isEmpty() || !s.validation.isEmpty();
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }
}
