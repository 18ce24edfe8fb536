package org.resnetspark.data.tfrecord;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Expands the paths given to a read into TFRecord files, on the driver. A path may be a file, a directory (its
 * direct children are read) or a glob; names starting with {@code _} or {@code .} inside directories and glob
 * matches are skipped ({@code _SUCCESS}, {@code .crc} files, in-progress temp files). The result is sorted by
 * path and holds each file once.
 */
final class TFRecordPaths {

    private static final int MAX_HOSTS = 3;

    private TFRecordPaths() {
    }

    /**
     * @throws IllegalArgumentException when no path is given
     * @throws UncheckedIOException wrapping {@link FileNotFoundException} when a path or glob matches nothing
     */
    static List<TFRecordFile> list(List<String> paths, TFRecordOptions options, Configuration conf) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("tfrecord: no path given; use load(path, ...)");
        }
        Map<String, TFRecordFile> files = new LinkedHashMap<>();
        try {
            for (String p : paths) {
                Path path = new Path(p);
                FileSystem fs = path.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(path);
                if (matches == null || matches.length == 0) {
                    throw new FileNotFoundException("tfrecord: path does not exist: " + fs.makeQualified(path));
                }
                boolean isGlob = matches.length > 1 || !fs.makeQualified(path).equals(matches[0].getPath());
                for (FileStatus match : matches) {
                    if (match.isDirectory()) {
                        RemoteIterator<LocatedFileStatus> it = fs.listLocatedStatus(match.getPath());
                        while (it.hasNext()) {
                            LocatedFileStatus child = it.next();
                            if (child.isFile() && !hidden(child.getPath())) {
                                add(files, fs, child, child.getBlockLocations(), options);
                            }
                        }
                    } else if (!isGlob || !hidden(match.getPath())) {
                        add(files, fs, match, fs.getFileBlockLocations(match, 0, match.getLen()), options);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        List<TFRecordFile> sorted = new ArrayList<>(files.values());
        sorted.sort(Comparator.comparing(TFRecordFile::path));
        return sorted;
    }

    private static boolean hidden(Path p) {
        String name = p.getName();
        return name.startsWith("_") || name.startsWith(".");
    }

    private static void add(Map<String, TFRecordFile> files, FileSystem fs, FileStatus status,
                            BlockLocation[] blocks, TFRecordOptions options) throws IOException {
        String path = fs.makeQualified(status.getPath()).toString();
        String[] hosts = "file".equals(fs.getScheme()) ? new String[0] : topHosts(blocks);
        files.putIfAbsent(path, new TFRecordFile(path, status.getLen(),
                options.compressionOf(status.getPath().getName()), hosts));
    }

    /** The hosts holding the most bytes of the file: a file is one partition, so that is where to read it. */
    private static String[] topHosts(BlockLocation[] blocks) throws IOException {
        if (blocks == null) {
            return new String[0];
        }
        Map<String, Long> bytesPerHost = new HashMap<>();
        for (BlockLocation block : blocks) {
            for (String host : block.getHosts()) {
                bytesPerHost.merge(host, block.getLength(), Long::sum);
            }
        }
        return bytesPerHost.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(MAX_HOSTS)
                .map(Map.Entry::getKey)
                .toArray(String[]::new);
    }
}
