package org.resnetspark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resnetspark.data.BadRecordPolicy;
import org.resnetspark.model.DatasetFamily;
import picocli.CommandLine;

import java.io.File;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --data_dir detection, --on_bad_record, and the message for data this build cannot read yet. */
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
    void nonCifarDataDirNamesWhatIsSupported(@TempDir File dir) {
        CliTest.Run r = CliTest.run("train", "--data_dir", TFRECORDS, "--model_dir", dir.getPath(),
                "--dataset", "cifar10", "--resnet_size", "8");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--data_dir " + TFRECORDS + ": not a CIFAR-10 directory"), r.err());
        assertTrue(r.err().contains("ImageNet TFRecords not yet supported"), r.err());
    }
}
