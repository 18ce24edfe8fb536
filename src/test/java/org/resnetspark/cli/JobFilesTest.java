package org.resnetspark.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The job configurations in conf/jobs parse as picocli @argfiles, so a scheduler runs one line. */
class JobFilesTest {

    /** Parses as the real command line does (argfiles expanded, later flags win). */
    private static TrainCommand parse(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        return (TrainCommand) Main.commandLine().parseArgs(all).subcommand().commandSpec().userObject();
    }

    @Test
    void cifar10ResNet56() {
        TrainCommand t = parse("@conf/jobs/cifar10-resnet56.args",
                "--data_dir", "hdfs:///data/cifar10", "--model_dir", "hdfs:///models/c56");
        assertEquals("cifar10", t.model.dataset);
        assertEquals(56, t.model.resnetSize);
        assertEquals("1", t.model.resnetVersion);
        assertEquals(128, t.batchSize);
        assertEquals(182, t.trainEpochs);
        assertEquals(10, t.epochsBetweenEvals);
        assertEquals("averaging", t.trainingMaster);
        assertEquals("hdfs:///data/cifar10", t.data.dataDir);
    }

    @Test
    void imagenetResNet50() {
        TrainCommand t = parse("@conf/jobs/imagenet-resnet50-v1.5.args",
                "--data_dir", "d", "--model_dir", "m", "--train_epochs", "1");
        assertEquals("imagenet", t.model.dataset);
        assertEquals(50, t.model.resnetSize);
        assertEquals(256, t.batchSize);
        assertEquals(1, t.trainEpochs, "a later flag overrides the file");
        assertEquals("sharing", t.trainingMaster);
    }
}
