package org.resnetspark.data.tfrecord;

import java.io.Serializable;

/**
 * One TFRecord file to read: its qualified path, size, codec and the hosts holding most of its bytes.
 * (A plain class, not a record: Spark's Kryo cannot serialize Java records.)
 */
final class TFRecordFile implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final long length;
    private final Compression compression;
    private final String[] hosts;

    /**
     * @param path        fully qualified Hadoop path
     * @param length      size in bytes
     * @param compression codec the file is read with
     * @param hosts       data-local hosts (empty on a local file system)
     */
    TFRecordFile(String path, long length, Compression compression, String[] hosts) {
        this.path = path;
        this.length = length;
        this.compression = compression;
        this.hosts = hosts;
    }

    String path() {
        return path;
    }

    long length() {
        return length;
    }

    Compression compression() {
        return compression;
    }

    String[] hosts() {
        return hosts.clone();
    }

    @Override
    public String toString() {
        return path;
    }
}
