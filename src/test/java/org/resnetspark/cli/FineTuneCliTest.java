package org.resnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.resnetspark.data.cifar.CifarTestData;
import org.resnetspark.model.ResNetBuilder;
import org.resnetspark.train.CheckpointStore;

import java.io.File;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfer learning on real images, as a user runs it: train ResNet-8 on the real CIFAR-10 classes 0-4, then
 * {@code --fine_tune} it from that checkpoint on the classes 5-9 (relabelled 0-4, images it never saw). Only the new
 * head trains; it must classify the new classes well above the 20% chance level, and every trunk parameter
 * (batch-norm statistics included) must be bit-identical to the pretrained checkpoint's.
 */
class FineTuneCliTest {

    @Test
    void headTrainedOnAFrozenCifarTrunkLearnsFiveUnseenClasses(@TempDir File dir) throws Exception {
        String pre = CifarTestData.fiveClasses(dir.toPath().resolve("classes0-4"), 0, 100, 100).toString();
        String post = CifarTestData.fiveClasses(dir.toPath().resolve("classes5-9"), 5, 100, 100).toString();
        String pretrained = new File(dir, "pretrained").getAbsolutePath();
        String fineTuned = new File(dir, "fine-tuned").getAbsolutePath();
        String[] common = {"--dataset", "cifar10", "--resnet_size", "8", "--resnet_version", "1", "--batch_size",
                "64", "--batch_norm_decay", "0.9", "--lr_schedule", "linear", "--seed", "1", "--on_bad_record",
                "fail"};

        CliTest.Run first = CliTest.run(TrainEvaluateCliTest.concat(new String[] {"train", "--data_dir", pre,
                "--model_dir", pretrained, "--train_epochs", "4", "--epochs_between_evals", "4"}, common));
        assertEquals(0, first.code(), first.err());
        CliTest.Run second = CliTest.run(TrainEvaluateCliTest.concat(new String[] {"train", "--data_dir", post,
                "--model_dir", fineTuned, "--train_epochs", "2", "--epochs_between_evals", "2",
                "--pretrained_model_checkpoint_path", pretrained, "--fine_tune"}, common));
        assertEquals(0, second.code(), second.err());

        double pretrainedTop1 = lastTop1(pretrained);
        double fineTunedTop1 = lastTop1(fineTuned);
        System.out.printf("fine-tune on real CIFAR-10: classes 0-4 top-1 %.4f (pretraining, 4 epochs); unseen"
                + " classes 5-9 top-1 %.4f (head only, 2 epochs); chance 0.20%n", pretrainedTop1, fineTunedTop1);
        assertTrue(fineTunedTop1 >= 0.35, "the head on the frozen trunk reached only " + fineTunedTop1);

        Configuration conf = new Configuration();
        ComputationGraph before = new CheckpointStore(new Path(pretrained), conf, 1).loadLatest().orElseThrow()
                .network();
        ComputationGraph after = new CheckpointStore(new Path(fineTuned), conf, 1).loadLatest().orElseThrow()
                .network();
        for (Map.Entry<String, INDArray> e : before.paramTable().entrySet()) {
            if (!e.getKey().startsWith(ResNetBuilder.FINAL_DENSE + "_")) {
                assertEquals(e.getValue(), after.getParam(e.getKey()), e.getKey() + " changed while frozen");
            }
        }
    }

    private static double lastTop1(String modelDir) throws Exception {
        JsonNode epochs = new ObjectMapper().readTree(new File(modelDir, "metrics.json")).get("epochs");
        return epochs.get(epochs.size() - 1).get("eval").get("top1").asDouble();
    }
}
