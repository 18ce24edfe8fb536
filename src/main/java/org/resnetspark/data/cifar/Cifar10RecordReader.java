package org.resnetspark.data.cifar;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.data.InvalidDataException;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import static org.resnetspark.data.cifar.Cifar10Files.NUM_CLASSES;
import static org.resnetspark.data.cifar.Cifar10Files.RECORD_BYTES;

/**
 * Reads whole fixed-length records of a CIFAR-10 .bin file, a record-aligned range at a time (the same framing
 * as {@code sc.binaryRecords(path, 3073)}, but with the file and record index at hand for error messages and
 * a choice about a partial record at the end of a file, which binaryRecords cannot skip).
 */
final class Cifar10RecordReader {

    /**
     * Records {@code first .. first+count-1} of {@code file}. A class, not a record: it is an RDD element, and
     * the Kryo 4 inside Spark cannot serialize Java records.
     */
    static final class Split implements Serializable {
        private final String file;
        private final long first;
        private final int count;

        Split(String file, long first, int count) {
            this.file = file;
            this.first = first;
            this.count = count;
        }

        String file() {
            return file;
        }

        long first() {
            return first;
        }

        int count() {
            return count;
        }
    }

    private Cifar10RecordReader() {
    }

    /** Splits of at most {@code perSplit} records covering the {@code records} whole records of {@code file}. */
    static List<Split> splits(Path file, long records, int perSplit) {
        List<Split> out = new ArrayList<>();
        for (long first = 0; first < records; first += perSplit) {
            out.add(new Split(file.toString(), first, (int) Math.min(perSplit, records - first)));
        }
        return out;
    }

    /**
     * The valid records of a split, each a fresh {@value Cifar10Files#RECORD_BYTES}-byte array, in file order.
     * A label above 9 fails ({@link BadRecordPolicy#FAIL}) or leaves the record out ({@code SKIP}).
     */
    static List<byte[]> read(Split s, Configuration conf, BadRecordPolicy policy) throws IOException {
        Path p = new Path(s.file());
        List<byte[]> out = new ArrayList<>(s.count());
        try (FSDataInputStream in = p.getFileSystem(conf).open(p, 1 << 20)) {
            in.seek(s.first() * RECORD_BYTES);
            for (int i = 0; i < s.count(); i++) {
                byte[] rec = new byte[RECORD_BYTES];
                in.readFully(rec);
                int label = rec[0] & 0xff;
                if (label < NUM_CLASSES) {
                    out.add(rec);
                } else if (policy == BadRecordPolicy.FAIL) {
                    throw InvalidDataException.record(s.file(), s.first() + i, "label " + label + ", expected 0.."
                            + (NUM_CLASSES - 1));
                }
            }
        }
        return out;
    }
}
