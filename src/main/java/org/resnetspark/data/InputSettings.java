package org.resnetspark.data;

import org.deeplearning4j.nn.conf.CNN2DFormat;

import java.io.Serializable;

/**
 * What every input pipeline needs from the job: how to batch and spread the data, the tensor layout, the
 * randomness and the handling of corrupt records.
 *
 * @param batchPerWorker examples per minibatch (the training master's per-worker batch size)
 * @param workers        training-master workers; the data is split into this many equally sized partitions
 * @param format         NCHW or NHWC features
 * @param numClasses     width of the one-hot labels
 * @param seed           run seed; augmentation and order are a function of (seed, epoch, partition)
 * @param labelSmoothing epsilon for training labels, in [0, 1)
 * @param onBadRecord    fail or skip-and-count on corrupt records
 * @param cacheDir       Hadoop path where archives are extracted once (must be visible to every executor on a
 *                       cluster, e.g. on HDFS); {@code null} for {@code java.io.tmpdir/resnet-spark-cache}
 */
public record InputSettings(int batchPerWorker, int workers, CNN2DFormat format, int numClasses, long seed,
                            double labelSmoothing, BadRecordPolicy onBadRecord, String cacheDir)
        implements Serializable {

    public InputSettings {
        if (batchPerWorker < 1 || workers < 1 || numClasses < 2) {
            throw new IllegalArgumentException("batchPerWorker " + batchPerWorker + ", workers " + workers
                    + ", numClasses " + numClasses + ": expected >= 1, >= 1, >= 2");
        }
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
            throw new IllegalArgumentException("label smoothing " + labelSmoothing + ": expected [0, 1)");
        }
    }

    /** The cache directory, defaulting to {@code java.io.tmpdir/resnet-spark-cache} on the local filesystem. */
    public String cacheDirOrDefault() {
        return cacheDir != null ? cacheDir
                : new java.io.File(System.getProperty("java.io.tmpdir"), "resnet-spark-cache").toURI().toString();
    }
}
