package org.resnetspark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.model.DatasetFamily;
import picocli.CommandLine;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --data_dir detection, --on_bad_record, and the message for a directory holding neither dataset. */
class DataOptionsTest {

    static final File DATA = new File(System.getProperty("shared.data.dir", "../shared/data"));
    static final String CIFAR_ARCHIVE = new File(DATA, "cifar10/cifar-10-binary.tar.gz").getPath();
    static final String TFRECORDS = new File(DATA, "tfrecord").getPath();

    @Test
    void familyIsDetectedFromDataDirUnlessDatasetIsGiven() {
        TrainCommand cifar = CommandLine.populateCommand(new TrainCommand(), "--data_dir", CIFAR_ARCHIVE,
                "--model_dir", "m");
        assertEquals(DatasetFamily.CIFAR10, cifar.data.family(cifar.model));
        assertEquals(BadRecordPolicy.SKIP, cifar.data.badRecordPolicy(), "default");
        TrainCommand other = CommandLine.populateCommand(new TrainCommand(), "--data_dir", TFRECORDS,
                "--model_dir", "m");
        assertEquals(DatasetFamily.IMAGENET, other.data.family(other.model));
        TrainCommand forced = CommandLine.populateCommand(new TrainCommand(), "--data_dir", CIFAR_ARCHIVE,
                "--model_dir", "m", "--dataset", "imagenet", "--on_bad_record", "fail");
        assertEquals(DatasetFamily.IMAGENET, forced.data.family(forced.model));
        assertEquals(BadRecordPolicy.FAIL, forced.data.badRecordPolicy());
    }

    @Test
    void badOnBadRecordValueIsAUsageError(@TempDir File dir) {
        CliTest.Run r = CliTest.run("train", "--use_synthetic_data", "--model_dir", dir.getPath(), "--on_bad_record",
                "maybe");
        assertEquals(2, r.code());
        assertEquals("error: --on_bad_record: invalid value 'maybe': expected fail or skip", r.err().strip());
    }

    @Test
    void dataDirWithNeitherDatasetNamesWhatIsSupported(@TempDir File dir) {
        // shapes-train-* and shapes-validation-* are not ImageNet's train-* / validation-* names
        CliTest.Run r = CliTest.run("train", "--data_dir", TFRECORDS, "--model_dir", dir.getPath(),
                "--dataset", "cifar10", "--resnet_size", "8");
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --data_dir " + TFRECORDS + ": holds neither CIFAR-10 (data_batch_*.bin,"
                + " test_batch.bin or cifar-10-binary.tar.gz) nor ImageNet TFRecord shards (train-*, validation-*)",
                r.err().strip());
    }

    @Test
    void emptyDataDirIsAUsageErrorNamingIt(@TempDir File dir) {
        File empty = new File(dir, "empty");
        assertTrue(empty.mkdir());
        CliTest.Run r = CliTest.run("train", "--data_dir", empty.getPath(), "--model_dir",
                new File(dir, "model").getPath(), "--resnet_size", "18", "--image_size", "64", "--batch_size", "8");
        assertEquals(2, r.code(), r.err());
        assertEquals("error: --data_dir " + empty.getPath() + ": empty or does not exist", r.err().strip());
    }
}
