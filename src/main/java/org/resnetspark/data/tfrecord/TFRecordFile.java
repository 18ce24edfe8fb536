package org.resnetspark.data.tfrecord;

import java.io.Serializable;

/**
 * One TFRecord file to read: its qualified path, size, codec and the hosts holding most of its bytes.
 *
 * @param path fully qualified Hadoop path
 * @param length size in bytes
 * @param compression codec the file is read with
 * @param hosts data-local hosts (empty on a local file system)
 */
record TFRecordFile(String path, long length, Compression compression, String[] hosts) implements Serializable {
}
