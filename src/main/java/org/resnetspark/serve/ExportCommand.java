package org.resnetspark.serve;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.resnetspark.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code export}: a model directory's checkpoint as a self-describing bundle (no Spark needed). */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a self-describing bundle (model.zip + metadata.json: architecture, classes, tensor and"
                + " encoded-image inputs, preprocessing, metrics) from a checkpoint of --model_dir.")
public final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model_dir", paramLabel = "DIR", required = true, description = "The training's model_dir.")
    String modelDir;

    @Option(names = "--export_dir", paramLabel = "DIR", required = true,
            description = "Where the bundle goes (created; must not exist unless --overwrite).")
    String exportDir;

    @Option(names = "--checkpoint", paramLabel = "latest|best|PATH", defaultValue = "latest",
            description = "Which checkpoint: latest, best (highest evaluated top-1) or a checkpoint zip."
                    + " Default: ${DEFAULT-VALUE}.")
    String checkpoint;

    @Option(names = "--overwrite", description = "Replace an existing bundle in --export_dir.")
    boolean overwrite;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JsonNode m;
        try {
            m = new BundleExporter(new Configuration()).export(modelDir, exportDir, checkpoint, overwrite);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        JsonNode model = m.get("model");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("exported %s (ResNet-%d v%s, %s, %d classes, %dx%d) to %s%n", m.get("source").get("checkpoint")
                        .asText(), model.get("resnet_size").asInt(), model.get("resnet_version").asText(),
                model.get("family").asText(), model.get("num_classes").asInt(), model.get("image_size").asInt(),
                model.get("image_size").asInt(), exportDir);
        out.flush();
        return 0;
    }
}
